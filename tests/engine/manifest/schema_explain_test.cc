#include "engine/manifest/schema_explain.h"

#include <gtest/gtest.h>

#include "engine/manifest/json_typing.h"
#include "engine/manifest/schema_check.h"

namespace xcert::manifest {
namespace {

using json = nlohmann::json;

// Explains `pointer` of `yaml` against `schema` and returns the diagnostics.
std::string Explain(const json& schema, std::string_view yaml, const std::string& pointer) {
  YamlDocument doc = ParseYaml(yaml, "t.yaml");
  Reporter r("t.yaml", doc.root);
  const json value = ToJson(*doc.root, r);
  SchemaExplainer explainer(schema);
  explainer.Explain(value, pointer, r);
  return r.diagnostics().ToString();
}

TEST(SchemaExplainerTest, FindsSubschemasThroughRefsItemsAndPatterns) {
  SchemaExplainer e(ManifestSchema());
  const json name = e.SubschemaAt("/certificates/3/name");
  EXPECT_EQ(name["type"], "string");
  EXPECT_TRUE(name.contains("pattern"));
  // Annotations beside a $ref win over the definition's.
  EXPECT_EQ(name["description"],
            "The certificate's name in this manifest (plans and messages use it).");
  EXPECT_EQ(e.SubschemaAt("/servers/0/roles/1")["enum"],
            json::parse(R"(["Mailbox", "ClientAccess", "EdgeTransport"])"));
  EXPECT_TRUE(e.SubschemaAt("/x-defaults/anything").is_null());
  EXPECT_TRUE(e.SubschemaAt("/x-defaults").is_object());
  EXPECT_TRUE(e.SubschemaAt("/nonsense").is_null());
  EXPECT_TRUE(e.SubschemaAt("/certificates/name").is_null());
}

const json kSchema = json::parse(R"({
  "type": "object",
  "additionalProperties": false,
  "required": ["port", "name"],
  "properties": {
    "port": {"type": "integer", "minimum": 1, "maximum": 65535},
    "name": {"type": "string", "minLength": 1, "maxLength": 5, "examples": ["web"]},
    "mode": {"const": "fast"},
    "code": {"type": "string", "pattern": "^[A-Z]+$"},
    "tags": {"type": "array", "minItems": 2, "uniqueItems": true, "examples": [["a", "b"]]},
    "keyPassword": {"type": "string"}, "keyPasswordEnv": {"type": "string"}
  }
})");

TEST(SchemaExplainerTest, NumbersOutsideTheirRange) {
  EXPECT_EQ(Explain(kSchema, "port: 0\nname: a\n", "/port"),
            "t.yaml:1:7: error: field 'port' must be at least 1, not 0; use 1 or more\n");
  EXPECT_EQ(Explain(kSchema, "port: 0x10000\nname: a\n", "/port"),
            "t.yaml:1:7: error: field 'port' must be at most 65535, not 0x10000; use 65535 or "
            "less\n");
}

TEST(SchemaExplainerTest, StringLengthsConstAndPatternsWithoutAMessage) {
  EXPECT_EQ(Explain(kSchema, "name: ''\n", "/name"),
            "t.yaml:1:7: error: field 'name' is empty; write a value\n");
  EXPECT_EQ(Explain(kSchema, "name: abcdef\n", "/name"),
            "t.yaml:1:7: error: field 'name' is longer than 5 characters; shorten it\n");
  EXPECT_EQ(Explain(kSchema, "mode: slow\n", "/mode"),
            "t.yaml:1:7: error: field 'mode' must be fast, not 'slow'; write fast\n");
  EXPECT_EQ(Explain(kSchema, "code: abc\n", "/code"),
            "t.yaml:1:7: error: field 'code' has an invalid value 'abc'; it must match the "
            "pattern ^[A-Z]+$\n");
}

TEST(SchemaExplainerTest, Lists) {
  EXPECT_EQ(Explain(kSchema, "tags: [a]\n", "/tags"),
            "t.yaml:1:7: error: field 'tags' is an empty list; list at least one entry, e.g. "
            "tags: [a, b]\n");
  EXPECT_EQ(Explain(kSchema, "tags: [a, b, a, b]\n", "/tags"),
            "t.yaml:1:14: error: 'a' is listed twice in field 'tags'; remove one\n"
            "t.yaml:1:17: error: 'b' is listed twice in field 'tags'; remove one\n");
}

TEST(SchemaExplainerTest, EveryUnknownAndMissingFieldOfAnObject) {
  // A misspelt required field ("nam") is one error, not also "missing 'name'".
  EXPECT_EQ(Explain(kSchema, "nam: web\nzzz: 1\nkey_password: x\n", ""),
            "t.yaml:1:1: error: the manifest is missing required field 'port'; add 'port:' (see "
            "docs/manifest.md)\n"
            "t.yaml:3:1: error: unknown field 'key_password' in the manifest; passwords never go "
            "in the manifest; use keyPasswordEnv (an environment variable) or keyPasswordFile (a "
            "file)\n"
            "t.yaml:1:1: error: unknown field 'nam' in the manifest; did you mean 'name'?\n"
            "t.yaml:2:1: error: unknown field 'zzz' in the manifest; allowed fields: code, "
            "keyPassword, keyPasswordEnv, mode, name, port, tags (and your own fields starting "
            "with 'x-')\n");
}

TEST(SchemaExplainerTest, TypeMismatchesSuggestTheFix) {
  const json schema = json::parse(R"({"type": "object", "properties": {
      "flag": {"type": "boolean"}, "text": {"type": "string"},
      "list": {"type": "array"}, "count": {"type": "integer"}}})");
  EXPECT_EQ(Explain(schema, "flag: on\n", "/flag"),
            "t.yaml:1:7: error: field 'flag' must be true or false, not 'on'; write true (YAML "
            "1.2 reads yes/no/on/off as text, not as true/false)\n");
  EXPECT_EQ(Explain(schema, "flag: \"false\"\n", "/flag"),
            "t.yaml:1:7: error: field 'flag' must be true or false, not 'false'; write false "
            "without quotes\n");
  EXPECT_EQ(Explain(schema, "flag: 1\n", "/flag"),
            "t.yaml:1:7: error: field 'flag' must be true or false, not 1; write true or false\n");
  EXPECT_EQ(Explain(schema, "text: 2024\n", "/text"),
            "t.yaml:1:7: error: field 'text' must be a string, not 2024; put it in quotes: "
            "\"2024\"\n");
  EXPECT_EQ(Explain(schema, "text: [a]\n", "/text"),
            "t.yaml:1:7: error: field 'text' must be a string, not a list; write a string (see "
            "docs/manifest.md)\n");
  EXPECT_EQ(Explain(schema, "list: one\n", "/list"),
            "t.yaml:1:7: error: field 'list' must be a list, not 'one'; write a list: [one]\n");
  EXPECT_EQ(Explain(schema, "count: '12'\n", "/count"),
            "t.yaml:1:8: error: field 'count' must be an integer, not '12'; write it without "
            "quotes: 12\n");
  EXPECT_EQ(Explain(schema, "count: 1.5\n", "/count"),
            "t.yaml:1:8: error: field 'count' must be an integer, not 1.5; write an integer (see "
            "docs/manifest.md)\n");
  EXPECT_EQ(Explain(schema, "count:\n", "/count"),
            "t.yaml:1:1: error: field 'count' is empty; it must be an integer; write a value or "
            "remove the field\n");
}

TEST(SchemaExplainerTest, NothingToSayAboutAValidValue) {
  EXPECT_EQ(Explain(kSchema, "port: 80\nname: web\n", ""), "");
  EXPECT_EQ(Explain(kSchema, "port: 80\nname: web\n", "/port"), "");
}

TEST(FlowYamlTest, WritesHintsAsYaml) {
  EXPECT_EQ(FlowYaml(json::parse(R"({"type": "local", "path": "./store"})")),
            "{path: ./store, type: local}");
  EXPECT_EQ(FlowYaml(json::parse(R"(["IIS", "SMTP"])")), "[IIS, SMTP]");
  EXPECT_EQ(FlowYaml(json("2019")), "\"2019\"");
  EXPECT_EQ(FlowYaml(json("a: b")), "\"a: b\"");
  EXPECT_EQ(FlowYaml(json(1)), "1");
}

}  // namespace
}  // namespace xcert::manifest
