#include "resources/exchange/recorded_objects.h"

#include <gtest/gtest.h>

namespace xcert::exchange {
namespace {

constexpr std::string_view kHead =
    "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">";

PsDocument Parse(std::string_view body) {
  return ParseClixml(std::string(kHead) + std::string(body) + "</Objs>", "t.xml").value();
}

TEST(CheckRecordedTypeTest, AcceptsAnyListedTypeWithOrWithoutDeserialized) {
  PsDocument doc = Parse(
      R"(<Obj RefId="0"><TN RefId="0"><T>Deserialized.B</T><T>Deserialized.A</T></TN></Obj>)");
  const PsObject& o = *doc.values()[0].object;
  EXPECT_TRUE(CheckRecordedType(o, {"A"}, "an A", "Get-A").ok());
  EXPECT_TRUE(CheckRecordedType(o, {"X", "B"}, "a B", "Get-B").ok());
  EXPECT_EQ(CheckRecordedType(o, {"C"}, "a C", "Get-C").message(),
            "not a C but a Deserialized.B (expected the output of Get-C)");
  PsDocument untyped = Parse(R"(<Obj RefId="0" />)");
  EXPECT_EQ(CheckRecordedType(*untyped.values()[0].object, {"C"}, "a C", "Get-C").message(),
            "not a C but an object without type names (expected the output of Get-C)");
}

TEST(ReadRecordedObjectsTest, ConvertsInOrderAndPrefixesErrors) {
  std::string text = std::string(kHead) + R"(<Obj RefId="0"><ToString>one</ToString></Obj>)"
                                          R"(<Obj RefId="1"><ToString>two</ToString></Obj></Objs>)";
  auto to_string = [](const PsObject& o) -> Result<std::string> { return *o.to_string; };
  EXPECT_EQ(*ReadRecordedObjects<std::string>(text, "t.xml", to_string),
            (std::vector<std::string>{"one", "two"}));
  auto refuse_two = [](const PsObject& o) -> Result<std::string> {
    if (o.to_string == "two") return InvalidArgument("two is refused");
    return *o.to_string;
  };
  EXPECT_EQ(ReadRecordedObjects<std::string>(text, "t.xml", refuse_two).status().message(),
            "t.xml: object 2: two is refused");
  EXPECT_EQ(ReadRecordedObjects<std::string>("<Objs>", "t.xml", to_string).status().message(),
            "t.xml:1: malformed XML: unexpected end of data (is the file complete? re-export it "
            "with Export-Clixml)");
}

}  // namespace
}  // namespace xcert::exchange
