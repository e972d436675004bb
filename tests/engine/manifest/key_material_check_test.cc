#include "engine/manifest/key_material_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/engine/manifest/manifest_test_util.h"

namespace xcert::manifest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::kBase;
using testing::Lines;
using ::testing::Not;
using testing::Replace;

constexpr const char* kPemOnOneLine =
    "-----BEGIN PRIVATE KEY----- MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgVcB/UNPxalR9zDYA "
    "-----END PRIVATE KEY-----";

TEST(KeyMaterialCheckTest, PemWhereAPathBelongsIsAnErrorAtItsLineWithoutTheValue) {
  const std::string yaml =
      Replace(kBase, "key: ca.key", std::string("key: \"") + kPemOnOneLine + "\"");
  const std::vector<std::string> lines = Lines(yaml);
  ASSERT_THAT(lines, ElementsAre(HasSubstr("5:57: error: field 'key' in issuer 'corp-ca' holds "
                                           "key material (PEM or base64), not the path of a "
                                           "file; the value is not shown; put the key material "
                                           "in a file readable only by you (chmod 600)")));
  EXPECT_THAT(lines[0], HasSubstr("'key: pki/ca.key'"));
  EXPECT_THAT(lines[0], Not(HasSubstr("MIG")));
}

// A PEM block keeps its line breaks: it is key material to put in a file, not
// a value to write on one line.
TEST(KeyMaterialCheckTest, PemWithItsLineBreaksIsKeyMaterialNotAControlCharacter) {
  const std::string yaml =
      Replace(kBase, "key: ca.key",
              "key: \"-----BEGIN PRIVATE KEY-----\\nMIGHAgEAMBMGByqGSM49AgEGCCq"
              "GSM49AwEHBG0wawIBAQQgVcB/UNPxalR9zDYA\\n-----END PRIVATE KEY-----"
              "\\n\"");
  const std::vector<std::string> lines = Lines(yaml);
  ASSERT_THAT(lines, ElementsAre(HasSubstr("5:57: error: field 'key' in issuer 'corp-ca' holds "
                                           "key material")));
  EXPECT_THAT(lines[0], Not(HasSubstr("MIG")));
}

TEST(KeyMaterialCheckTest, Base64InAnyFieldIsReportedAndNeverShown) {
  const std::string body =
      "MIIJQgIBADANBgkqhkiG9w0BAQEFAASCCSwwggkoAgEAAoICAQC7VJTUt9Us8cKjMzEfYyjiWA4R4";
  const std::string yaml = Replace(kBase, "name: self,", "name: self, x-note: " + body + ",");
  const std::vector<std::string> lines = Lines(yaml);
  ASSERT_EQ(lines.size(), 1u) << ::testing::PrintToString(lines);
  EXPECT_THAT(lines[0], HasSubstr("holds key material (PEM or base64); the value is not shown"));
  EXPECT_THAT(lines[0], Not(HasSubstr(body.substr(0, 12))));
}

TEST(KeyMaterialCheckTest, TheNameOfAVariableIsLeftToTheSchemaWhichDoesNotShowIt) {
  const std::string password = "S3cret!Passw0rd-2026";
  const std::string yaml = Replace(kBase, "store: {type: local, path: ./store}\n",
                                   "store: {type: local, path: ./store}\n"
                                   "backup: {path: ./b, passwordEnv: \"" +
                                       password + "\"}\n");
  const std::vector<std::string> lines = Lines(yaml);
  ASSERT_EQ(lines.size(), 1u) << ::testing::PrintToString(lines);
  EXPECT_THAT(lines[0], HasSubstr("field 'backup.passwordEnv' is not a valid environment "
                                  "variable name (the value is not shown"));
  EXPECT_THAT(lines[0], Not(HasSubstr("S3cret")));
}

TEST(KeyMaterialCheckTest, OrdinaryManifestHasNone) { EXPECT_THAT(Lines(kBase), ElementsAre()); }

}  // namespace
}  // namespace xcert::manifest
