#include <gtest/gtest.h>

#include "resources/exchange/nrbf.h"
#include "tests/resources/exchange/exchange_test_util.h"

namespace xcert::exchange::nrbf {
namespace {

Value Primitive(PrimitiveType t, int64_t v) {
  Value out;
  out.kind = Value::Kind::kPrimitive;
  out.type = t;
  out.integer = v;
  out.unsigned_integer = static_cast<uint64_t>(v);
  return out;
}

Value Ref(int32_t id) {
  Value out;
  out.kind = Value::Kind::kObject;
  out.object_id = id;
  return out;
}

// A class object with `members` (names and values).
Object Class(int32_t id, const std::string& name,
             std::vector<std::pair<std::string, Value>> members) {
  auto info = std::make_shared<ClassInfo>();
  info->metadata_id = id;
  info->name = name;
  Object o;
  o.id = id;
  for (auto& [member, value] : members) {
    info->member_names.push_back(member);
    info->member_types.push_back({});
    o.members.push_back(std::move(value));
  }
  o.class_info = info;
  return o;
}

Object String(int32_t id, const std::string& value) {
  Object o;
  o.kind = ObjectKind::kString;
  o.id = id;
  o.string_value = value;
  return o;
}

Object Array(int32_t id, MemberType element, std::vector<Value> elements, std::string bytes = "") {
  Object o;
  o.kind = ObjectKind::kArray;
  o.id = id;
  o.element_type = element;
  o.lengths = {static_cast<int32_t>(bytes.empty() ? elements.size() : bytes.size())};
  o.elements = std::move(elements);
  o.bytes = std::move(bytes);
  return o;
}

Graph MakeGraph(std::vector<Object> objects) {
  Graph g;
  g.root_id = objects.front().id;
  for (Object& o : objects) g.objects.emplace(o.id, std::move(o));
  return g;
}

TEST(NrbfValueTest, TypedAccessors) {
  EXPECT_EQ(Primitive(PrimitiveType::kBoolean, 1).AsBool(), true);
  EXPECT_EQ(Primitive(PrimitiveType::kInt32, 1).AsBool(), std::nullopt);
  EXPECT_EQ(Primitive(PrimitiveType::kInt16, -7).AsInt64(), -7);
  EXPECT_EQ(Primitive(PrimitiveType::kUInt64, -1).AsInt64(), std::nullopt) << "2^64-1";
  EXPECT_EQ(Primitive(PrimitiveType::kDateTime, 5).AsInt64(), std::nullopt) << "not an integer";
  EXPECT_EQ(Value().AsInt64(), std::nullopt);
  EXPECT_TRUE(Value().is_null());
  EXPECT_EQ(PrimitiveTypeName(PrimitiveType::kTimeSpan), "TimeSpan");
}

TEST(NrbfGraphTest, MemberAccessByShape) {
  MemberType byte_type{BinaryType::kPrimitive, PrimitiveType::kByte, ""};
  Graph g = MakeGraph({
      Class(1, "Cert",
            {{"Name", Ref(2)},
             {"Data", Ref(3)},
             {"Flag", Primitive(PrimitiveType::kBoolean, 0)},
             {"Status", Ref(-4)},
             {"Count", Primitive(PrimitiveType::kInt32, 12)},
             {"Nothing", Value()}}),
      String(2, "mail"),
      Array(3, byte_type, {}, "\x01\x02"),
      Class(-4, "Enum", {{"value__", Primitive(PrimitiveType::kInt32, 3)}}),
  });
  const Object& root = g.root();
  EXPECT_EQ(root.class_name(), "Cert");
  EXPECT_EQ(g.Find(2)->class_name(), "") << "a string has no class";
  EXPECT_EQ(*g.StringMember(root, "Name"), "mail");
  EXPECT_EQ(g.StringMember(root, "Data"), nullptr);
  EXPECT_EQ(*g.BytesMember(root, "Data"), "\x01\x02");
  EXPECT_EQ(g.BytesMember(root, "Name"), nullptr);
  EXPECT_EQ(g.BoolMember(root, "Flag"), false);
  EXPECT_EQ(g.IntegerMember(root, "Status"), 3) << "a boxed enum";
  EXPECT_EQ(g.IntegerMember(root, "Count"), 12);
  EXPECT_EQ(g.IntegerMember(root, "Name"), std::nullopt);
  EXPECT_EQ(g.StringMember(root, "Nothing"), nullptr);
  EXPECT_EQ(g.Deref(root.members[5]), nullptr);
  EXPECT_EQ(g.Find(99), nullptr);
  EXPECT_EQ(root.Member("missing"), nullptr);
}

TEST(NrbfGraphTest, ListItemsReturnsTheFirstSizeItems) {
  MemberType string_type{BinaryType::kString, PrimitiveType::kNull, ""};
  Graph g = MakeGraph({
      Class(1, "System.Collections.Generic.List`1[[System.String]]",
            {{"_items", Ref(2)}, {"_size", Primitive(PrimitiveType::kInt32, 2)}}),
      Array(2, string_type, {Ref(3), Ref(4), Value(), Value()}),
      String(3, "a"),
      String(4, "b"),
      Class(5, "Bad", {{"_items", Ref(2)}, {"_size", Primitive(PrimitiveType::kInt32, 5)}}),
  });
  std::optional<std::vector<Value>> items = g.ListItems(g.root());
  ASSERT_TRUE(items.has_value());
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ(g.Deref((*items)[0])->string_value, "a");
  EXPECT_EQ(g.Deref((*items)[1])->string_value, "b");
  EXPECT_EQ(g.ListItems(*g.Find(2)), std::nullopt) << "an array is not a List";
  EXPECT_EQ(g.ListItems(*g.Find(5)), std::nullopt) << "_size beyond _items";
}

TEST(NrbfGraphTest, DebugStringFormatsEveryKind) {
  MemberType byte_type{BinaryType::kPrimitive, PrimitiveType::kByte, ""};
  MemberType class_type{BinaryType::kClass, PrimitiveType::kNull, "My.Item"};
  Value single = Primitive(PrimitiveType::kSingle, 0);
  single.number = 0.5;
  Value letter = Primitive(PrimitiveType::kChar, 0);
  letter.text = "z";
  Graph g = MakeGraph({
      Class(1, "Root",
            {{"f", single}, {"c", letter}, {"t", Primitive(PrimitiveType::kDateTime, 42)}}),
      Array(2, byte_type, {}, std::string(40, '\xab')),
      Array(3, class_type, {Ref(1), Value()}),
  });
  std::string first_32_bytes;
  for (int i = 0; i < 32; ++i) first_32_bytes += "ab";
  EXPECT_EQ(DebugString(g),
            "root #1\n"
            "#1 class Root: f = 0.5 (Single), c = 'z' (Char), t = 42 (DateTime)\n"
            "#2 Byte[40] " +
                first_32_bytes +
                "...\n"
                "#3 My.Item[2]: #1, null\n");
}

}  // namespace
}  // namespace xcert::exchange::nrbf
