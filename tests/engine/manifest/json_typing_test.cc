#include "engine/manifest/json_typing.h"

#include <cmath>

#include <gtest/gtest.h>

namespace xcert::manifest {
namespace {

using json = nlohmann::json;

json Plain(const std::string& text) {
  return TypeScalar(YamlNode{YamlKind::kScalar, {}, text, true}).value;
}

TEST(JsonTypingTest, Yaml12CoreSchemaForPlainScalars) {
  EXPECT_EQ(Plain("null"), json(nullptr));
  EXPECT_EQ(Plain("~"), json(nullptr));
  EXPECT_EQ(Plain("true"), json(true));
  EXPECT_EQ(Plain("FALSE"), json(false));
  EXPECT_EQ(Plain("42"), json(42));
  EXPECT_EQ(Plain("-7"), json(-7));
  EXPECT_EQ(Plain("+7"), json(7));
  EXPECT_EQ(Plain("0x1F"), json(31));
  EXPECT_EQ(Plain("0o17"), json(15));
  EXPECT_EQ(Plain("1.5"), json(1.5));
  EXPECT_EQ(Plain("-2e3"), json(-2000.0));
  EXPECT_EQ(Plain(".5"), json(0.5));
  EXPECT_TRUE(std::isinf(Plain(".inf").get<double>()));
  EXPECT_TRUE(std::isnan(Plain(".NaN").get<double>()));
  EXPECT_TRUE(Plain("99999999999999999999").is_number_float());
  EXPECT_EQ(Plain("-9223372036854775808"), json(INT64_MIN));
}

TEST(JsonTypingTest, Yaml11BooleansAndLookalikesAreStrings) {
  for (const char* s : {"yes", "no", "on", "off", "y", "n", "Yes", "NO", "0x", "0o8", "1.2.3", "1e",
                        "2019-01-01", "12h", "TRUE1", "nul"}) {
    EXPECT_EQ(Plain(s), json(s)) << s;
  }
}

TEST(JsonTypingTest, QuotedScalarsAreStrings) {
  EXPECT_EQ(TypeScalar(YamlNode{YamlKind::kScalar, {}, "true", false}).value, json("true"));
  EXPECT_EQ(TypeScalar(YamlNode{YamlKind::kScalar, {}, "2019", false}).value, json("2019"));
  EXPECT_EQ(TypeScalar(YamlNode{YamlKind::kNull}).value, json(nullptr));
}

TEST(JsonTypingTest, StandardTagsAreHonoured) {
  const auto tagged = [](std::string text, std::string tag) {
    YamlNode n{YamlKind::kScalar, {}, std::move(text), false};
    n.tag = "tag:yaml.org,2002:" + tag;
    return TypeScalar(n);
  };
  EXPECT_EQ(tagged("5", "str").value, json("5"));
  EXPECT_EQ(tagged("5", "int").value, json(5));
  EXPECT_EQ(tagged("5", "float").value, json(5.0));
  EXPECT_EQ(tagged("true", "bool").value, json(true));
  EXPECT_EQ(tagged("abc", "int").error, "'abc' is not an integer (it is tagged !!int)");
  EXPECT_EQ(tagged("yes", "bool").error, "'yes' is not true or false (it is tagged !!bool)");
  EXPECT_EQ(tagged("x", "binary").error, "the tag '!!binary' is not supported");
}

TEST(JsonTypingTest, ConvertsTreesAndReportsBadValuesAtTheirPointer) {
  YamlDocument doc = ParseYaml("a: [1, \"two\", yes]\nb: {c: \"x\\ty\"}\nd: !foo bar\n", "t.yaml");
  ASSERT_NE(doc.root, nullptr);
  Reporter r("t.yaml", doc.root);
  const json j = ToJson(*doc.root, r);
  EXPECT_EQ(j, json::parse(R"({"a": [1, "two", "yes"], "b": {"c": "x\ty"}, "d": "bar"})"));
  EXPECT_EQ(r.diagnostics().ToString(),
            "t.yaml:2:8: error: field 'b.c' contains the control character U+0009; remove it\n"
            "t.yaml:3:4: error: field 'd': the tag '!foo' is not supported; xcert reads plain "
            "YAML; remove the tag\n");
  EXPECT_TRUE(r.IsBad("/b/c"));
}

TEST(JsonTypingTest, LineBreaksInValuesSayHowToAvoidThem) {
  YamlDocument doc = ParseYaml("a: |\n  one\n", "t.yaml");
  Reporter r("t.yaml", doc.root);
  ToJson(*doc.root, r);
  EXPECT_EQ(r.diagnostics().ToString(),
            "t.yaml:1:4: error: field 'a' contains the control character U+000A; write it on one "
            "line (a '|' or '>' block keeps line breaks; use '>-' or a plain value)\n");
}

TEST(JsonTypingTest, SourceMapHasEveryValue) {
  YamlDocument doc = ParseYaml("a:\n  - x\n  - {k: v}\n", "t.yaml");
  SourceMap map;
  map.set_file("t.yaml");
  FillSourceMap(*doc.root, &map);
  EXPECT_EQ(map.size(), 5u);  // "", /a, /a/0, /a/1, /a/1/k
  EXPECT_EQ(map.Find("/a/1/k").ToString(), "t.yaml:3:9");
  EXPECT_EQ(map.Find("/a/0").ToString(), "t.yaml:2:5");
}

TEST(JsonTypingTest, ServiceNamesAreSpelledAsExchangeDoesWhateverTheirCase) {
  nlohmann::json doc = nlohmann::json::parse(R"({
    "certificates": [{"services": ["iis", "Smtp", "umcallrouter", "Bogus", 3]}, {"name": "x"}],
    "servers": [{"probe": {"services": ["pop", "IMAP"]}}, {"probe": 1}, "odd"],
    "issuers": [{"services": ["iis"]}]
  })");
  CanonicalizeServiceNames(&doc);
  EXPECT_EQ(doc["certificates"][0]["services"],
            nlohmann::json::parse(R"(["IIS", "SMTP", "UMCallRouter", "Bogus", 3])"))
      << "an unknown name and a number are left for the schema to report";
  EXPECT_EQ(doc["servers"][0]["probe"]["services"], nlohmann::json::parse(R"(["POP", "IMAP"])"));
  EXPECT_EQ(doc["issuers"][0]["services"][0], "iis") << "only where services are named";
  nlohmann::json odd = "text";
  CanonicalizeServiceNames(&odd);
  EXPECT_EQ(odd, "text");
}

TEST(JsonTypingTest, PlainStringsAndTypePhrases) {
  EXPECT_TRUE(IsPlainString("mail"));
  EXPECT_TRUE(IsPlainString("yes"));
  EXPECT_FALSE(IsPlainString("2019"));
  EXPECT_FALSE(IsPlainString("null"));
  EXPECT_FALSE(IsPlainString(""));
  EXPECT_EQ(TypePhrase("boolean"), "true or false");
  EXPECT_EQ(TypePhrase("object"), "a mapping");
}

}  // namespace
}  // namespace xcert::manifest
