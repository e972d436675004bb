#include "engine/manifest/schema_check.h"

#include <gtest/gtest.h>

#include "engine/manifest/json_typing.h"
#include "tests/engine/manifest/manifest_test_util.h"
#include "tests/support/test_util.h"

namespace xcert::manifest {
namespace {

using json = nlohmann::json;

std::string Check(std::string_view yaml) {
  YamlDocument doc = ParseYaml(yaml, "t.yaml");
  Reporter r("t.yaml", doc.root);
  CheckSchema(ToJson(*doc.root, r), r);
  return r.diagnostics().ToString();
}

TEST(SchemaCheckTest, EmbeddedSchemaIsTheOneInTheSourceTree) {
  const json on_disk = json::parse(xcert::testing::ReadFileOrDie(
      xcert::testing::SourceDir() / "schemas" / "manifest.schema.json"));
  EXPECT_EQ(ManifestSchema(), on_disk);
  EXPECT_EQ(ManifestSchema()["$schema"], "http://json-schema.org/draft-07/schema#");
}

// Editors show descriptions; every property must have one.
void ExpectDescriptions(const json& schema, const std::string& path) {
  if (!schema.is_object()) return;
  if (schema.contains("properties")) {
    for (auto it = schema["properties"].begin(); it != schema["properties"].end(); ++it) {
      EXPECT_TRUE(it.value().contains("description") ||
                  (it.value().contains("$ref") &&
                   ManifestSchema()["definitions"][it.value()["$ref"].get<std::string>().substr(14)]
                       .contains("description")))
          << path << "/" << it.key();
      ExpectDescriptions(it.value(), path + "/" + it.key());
    }
  }
  if (schema.contains("definitions")) {
    for (auto it = schema["definitions"].begin(); it != schema["definitions"].end(); ++it) {
      ExpectDescriptions(it.value(), path + "/definitions/" + it.key());
    }
  }
  if (schema.contains("items")) ExpectDescriptions(schema["items"], path + "/items");
}

TEST(SchemaCheckTest, EveryPropertyIsDescribed) { ExpectDescriptions(ManifestSchema(), ""); }

TEST(SchemaCheckTest, ValidManifestsPass) {
  EXPECT_EQ(Check(testing::kBase), "");
  EXPECT_EQ(Check("version: 1\nstore: {type: exchange, transport: [ssh, ex], timeout: 1h}\n"
                  "x-anything: {whatever: [1, 2]}\n"),
            "");
  EXPECT_EQ(Check("version: 1\nstore: {type: exchange, timeout: 600}\n"), "");
}

TEST(SchemaCheckTest, OneMessagePerProblemWithoutValijsonWrappers) {
  EXPECT_EQ(Check("version: 1\nstore: {type: local}\nservers:\n  - {name: A, fqdn: a.b.c, "
                  "roles: [Mailbox], version: 2012}\n"),
            "t.yaml:4:55: error: field 'version' in server 'A' must be one of '2013', '2016', "
            "'2019', 'SE', not 2012; write one of these values\n");
}

// lock: file or postgres; postgres names the variable of its connection
// string (never the string itself) and may wait up to an hour. (That
// postgres needs dsnEnv is a semantic check.)
TEST(SchemaCheckTest, ALockAcrossMachinesNeedsItsConnectionStringVariable) {
  EXPECT_EQ(Check("version: 1\nstore: {type: local, path: s}\nlock: {type: file}\n"), "");
  EXPECT_EQ(Check("version: 1\nstore: {type: local, path: s}\n"
                  "lock: {type: postgres, dsnEnv: XCERT_LOCK_DSN, wait: 60}\n"),
            "");
  EXPECT_NE(Check("version: 1\nstore: {type: local, path: s}\n"
                  "lock: {type: postgres, dsnEnv: XCERT_LOCK_DSN, wait: 3601}\n"),
            "");
  EXPECT_NE(Check("version: 1\nstore: {type: local, path: s}\n"
                  "lock: {type: postgres, dsnEnv: 'host=db password=x'}\n"),
            "")
      << "a connection string where its variable's name belongs";
  EXPECT_NE(Check("version: 1\nstore: {type: local, path: s}\nlock: {type: redis}\n"), "");
}

TEST(SchemaCheckTest, TimeoutIsSecondsOrADuration) {
  EXPECT_EQ(Check("version: 1\nstore: {type: exchange, timeout: 0}\n"),
            "t.yaml:2:34: error: field 'store.timeout' must be at least 1, not 0; use 1 or more\n");
  EXPECT_EQ(Check("version: 1\nstore: {type: exchange, timeout: 5m}\n"),
            "t.yaml:2:34: error: field 'store.timeout' has an invalid value '5m'; write seconds "
            "as a number (300) or a duration with a unit: h (hours), d (days), w (weeks) or y "
            "(365 days)\n");
}

// The if/then rules per issuer type are for editors; the semantic checks
// report them (see semantic_check_test), so the schema check says nothing.
TEST(SchemaCheckTest, IssuerTypeRulesAreLeftToSemanticChecks) {
  EXPECT_EQ(Check("version: 1\nstore: {type: local}\nissuers: [{name: c, type: ca}, "
                  "{name: f, type: file}, {name: r, type: request}]\n"),
            "");
}

}  // namespace
}  // namespace xcert::manifest
