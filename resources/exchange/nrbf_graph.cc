#include <cstdio>
#include <limits>

#include "engine/util/strings.h"
#include "resources/exchange/nrbf.h"

namespace xcert::exchange::nrbf {

namespace {

bool IsInteger(PrimitiveType t) {
  switch (t) {
    case PrimitiveType::kByte:
    case PrimitiveType::kSByte:
    case PrimitiveType::kInt16:
    case PrimitiveType::kUInt16:
    case PrimitiveType::kInt32:
    case PrimitiveType::kUInt32:
    case PrimitiveType::kInt64:
    case PrimitiveType::kUInt64: return true;
    default: return false;
  }
}

}  // namespace

std::string_view PrimitiveTypeName(PrimitiveType t) {
  switch (t) {
    case PrimitiveType::kBoolean: return "Boolean";
    case PrimitiveType::kByte: return "Byte";
    case PrimitiveType::kChar: return "Char";
    case PrimitiveType::kDecimal: return "Decimal";
    case PrimitiveType::kDouble: return "Double";
    case PrimitiveType::kInt16: return "Int16";
    case PrimitiveType::kInt32: return "Int32";
    case PrimitiveType::kInt64: return "Int64";
    case PrimitiveType::kSByte: return "SByte";
    case PrimitiveType::kSingle: return "Single";
    case PrimitiveType::kTimeSpan: return "TimeSpan";
    case PrimitiveType::kDateTime: return "DateTime";
    case PrimitiveType::kUInt16: return "UInt16";
    case PrimitiveType::kUInt32: return "UInt32";
    case PrimitiveType::kUInt64: return "UInt64";
    case PrimitiveType::kNull: return "Null";
    case PrimitiveType::kString: return "String";
  }
  return "?";
}

std::optional<bool> Value::AsBool() const {
  if (kind != Kind::kPrimitive || type != PrimitiveType::kBoolean) return std::nullopt;
  return integer != 0;
}

std::optional<int64_t> Value::AsInt64() const {
  if (kind != Kind::kPrimitive || !IsInteger(type)) return std::nullopt;
  if (type == PrimitiveType::kUInt64 &&
      unsigned_integer > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return std::nullopt;
  }
  return integer;
}

const std::string& Object::class_name() const {
  static const std::string kEmpty;
  return kind == ObjectKind::kClass && class_info ? class_info->name : kEmpty;
}

const Value* Object::Member(std::string_view name) const {
  if (kind != ObjectKind::kClass || !class_info) return nullptr;
  for (size_t i = 0; i < members.size(); ++i) {
    if (class_info->member_names[i] == name) return &members[i];
  }
  return nullptr;
}

const Object* Graph::Find(int32_t id) const {
  auto it = objects.find(id);
  return it == objects.end() ? nullptr : &it->second;
}

const Object* Graph::Deref(const Value& v) const {
  return v.kind == Value::Kind::kObject ? Find(v.object_id) : nullptr;
}

const std::string* Graph::StringMember(const Object& o, std::string_view name) const {
  const Value* v = o.Member(name);
  const Object* target = v ? Deref(*v) : nullptr;
  return target && target->kind == ObjectKind::kString ? &target->string_value : nullptr;
}

const std::string* Graph::BytesMember(const Object& o, std::string_view name) const {
  const Value* v = o.Member(name);
  const Object* target = v ? Deref(*v) : nullptr;
  if (!target || target->kind != ObjectKind::kArray) return nullptr;
  const MemberType& t = target->element_type;
  bool bytes = t.binary_type == BinaryType::kPrimitive && t.primitive == PrimitiveType::kByte;
  return bytes && target->lengths.size() == 1 ? &target->bytes : nullptr;
}

std::optional<bool> Graph::BoolMember(const Object& o, std::string_view name) const {
  const Value* v = o.Member(name);
  return v ? v->AsBool() : std::nullopt;
}

std::optional<int64_t> Graph::IntegerMember(const Object& o, std::string_view name) const {
  const Value* v = o.Member(name);
  if (!v) return std::nullopt;
  if (v->kind == Value::Kind::kPrimitive) return v->AsInt64();
  const Object* boxed = Deref(*v);
  if (!boxed || boxed->members.size() != 1) return std::nullopt;
  const Value* inner = boxed->Member("value__");
  return inner ? inner->AsInt64() : std::nullopt;
}

std::optional<std::vector<Value>> Graph::ListItems(const Object& list) const {
  const Value* items = list.Member("_items");
  std::optional<int64_t> size = IntegerMember(list, "_size");
  const Object* array = items ? Deref(*items) : nullptr;
  if (!array || array->kind != ObjectKind::kArray || !size || *size < 0 ||
      static_cast<uint64_t>(*size) > array->elements.size()) {
    return std::nullopt;
  }
  return std::vector<Value>(array->elements.begin(), array->elements.begin() + *size);
}

namespace {

std::string FormatValue(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNull: return "null";
    case Value::Kind::kObject: return "#" + std::to_string(v.object_id);
    case Value::Kind::kPrimitive: break;
  }
  std::string type(PrimitiveTypeName(v.type));
  switch (v.type) {
    case PrimitiveType::kBoolean: return v.integer ? "true" : "false";
    case PrimitiveType::kChar: return "'" + v.text + "' (Char)";
    case PrimitiveType::kDecimal: return v.text + " (Decimal)";
    case PrimitiveType::kSingle:
    case PrimitiveType::kDouble: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", v.number);
      return std::string(buf) + " (" + type + ")";
    }
    case PrimitiveType::kUInt64: return std::to_string(v.unsigned_integer) + " (UInt64)";
    default: return std::to_string(v.integer) + " (" + type + ")";
  }
}

std::string TypeName(const MemberType& t) {
  switch (t.binary_type) {
    case BinaryType::kPrimitive: return std::string(PrimitiveTypeName(t.primitive));
    case BinaryType::kString: return "String";
    case BinaryType::kObject: return "Object";
    case BinaryType::kSystemClass:
    case BinaryType::kClass: return t.class_name;
    case BinaryType::kObjectArray: return "Object[]";
    case BinaryType::kStringArray: return "String[]";
    case BinaryType::kPrimitiveArray: return std::string(PrimitiveTypeName(t.primitive)) + "[]";
  }
  return "?";
}

std::string FormatObject(const Object& o) {
  std::string line = "#" + std::to_string(o.id) + " ";
  if (o.kind == ObjectKind::kString) return line + "string \"" + o.string_value + "\"";
  if (o.kind == ObjectKind::kClass) {
    line += "class " + o.class_info->name;
    if (!o.class_info->library.empty()) line += " [" + o.class_info->library + "]";
    line += ":";
    for (size_t i = 0; i < o.members.size(); ++i) {
      line += (i ? ", " : " ") + o.class_info->member_names[i] + " = " + FormatValue(o.members[i]);
    }
    return line;
  }
  std::vector<std::string> dims;
  for (int32_t n : o.lengths) dims.push_back(std::to_string(n));
  line += TypeName(o.element_type) + "[" + Join(dims, ",") + "]";
  if (!o.bytes.empty()) {
    constexpr size_t kShown = 32;
    line += " " + HexEncode(std::string_view(o.bytes).substr(0, kShown));
    if (o.bytes.size() > kShown) line += "...";
  }
  for (size_t i = 0; i < o.elements.size(); ++i) {
    line += (i ? ", " : ": ") + FormatValue(o.elements[i]);
  }
  return line;
}

}  // namespace

std::string DebugString(const Graph& graph) {
  std::string out = "root #" + std::to_string(graph.root_id) + "\n";
  for (const auto& [id, object] : graph.objects) out += FormatObject(object) + "\n";
  return out;
}

}  // namespace xcert::exchange::nrbf
