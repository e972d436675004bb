// `xcert validate` as docs/commands/validate.md describes it, with the real
// binary. (Diagnostics themselves are tested with the manifest loader.)
#include <regex>

#include "tests/engine/cli/cli_test_util.h"

namespace xcert::testing {
namespace {

// The first match of `re` in `text` (empty when there is none).
std::smatch Match(const std::string& text, const std::regex& re) {
  std::smatch m;
  std::regex_search(text, m, re);
  return m;
}

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class ValidateCommandTest : public XcertCommandTest {};

TEST_F(ValidateCommandTest, TheDocumentedExampleOutput) {
  // docs/commands/validate.md shows this run, byte for byte.
  const std::string doc = ReadFileOrDie(SourceDir() / "docs/commands/validate.md");
  const RunResult r = RunXcert({"validate", "-f", "examples/pocket-consultant/xcert.yaml"},
                               SourceDir(), {{"NO_COLOR", "1"}});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(doc, HasSubstr("$ xcert validate -f examples/pocket-consultant/xcert.yaml\n" + r.err +
                             r.out + "```"));
}

TEST_F(ValidateCommandTest, DefaultsToXcertYamlInTheCurrentFolder) {
  const RunResult r = X({"validate"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "xcert.yaml: valid (1 server, 1 certificate, 1 warning)\n");
}

TEST_F(ValidateCommandTest, ReadsOnlyTheManifest) {
  // An issuer whose files do not exist and a store that does not exist: both
  // are plan's business, not validate's.
  std::string m = ReadFileOrDie(dir_.path() / "xcert.yaml");
  m.replace(m.find("  - name: self\n"), 0,
            "  - name: corp-ca\n    type: ca\n    certificate: missing/ca.pem\n    key: "
            "missing/ca.key\n");
  dir_.Write("xcert.yaml", m);
  const auto before = Snapshot();
  const RunResult r = X({"validate"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("valid (1 server, 1 certificate"));
  EXPECT_THAT(Changed(before, Snapshot()), IsEmpty());
}

TEST_F(ValidateCommandTest, EveryMistakeInOneRunSortedByLine) {
  std::string m = ReadFileOrDie(dir_.path() / "xcert.yaml");
  m.replace(m.find("issuer: self"), 12, "issuer: selff");
  m.replace(m.find("servers: [MailServer21]"), 23, "servers: [MailServer12]");
  m.replace(m.find("validity: 365d"), 14, "validity: 12m");
  dir_.Write("xcert.yaml", m);
  const RunResult r = X({"validate", "--file", "xcert.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  std::vector<int> lines;
  std::istringstream err(r.err);
  for (std::string line; std::getline(err, line);) {
    if (line.find(": error: ") == std::string::npos) continue;
    EXPECT_TRUE(line.starts_with("xcert.yaml:")) << line;
    lines.push_back(std::stoi(line.substr(11)));
  }
  EXPECT_EQ(lines.size(), 3u) << r.err;
  EXPECT_TRUE(std::is_sorted(lines.begin(), lines.end())) << r.err;
  EXPECT_THAT(r.err, HasSubstr("did you mean 'self'?"));
  EXPECT_THAT(r.err, HasSubstr("did you mean 'MailServer21'?"));
  EXPECT_THAT(r.err, HasSubstr("xcert.yaml: invalid (3 errors,"));
}

// Issue 11: a CA key pasted into the manifest passed validate, and plan and
// apply then printed it whole in "cannot read ... does not exist".
TEST_F(ValidateCommandTest, AKeyPastedWhereAPathBelongsIsAnErrorAtItsLineNeverShown) {
  dir_.Write("xcert.yaml", ManifestWithPastedCaKey(ReadFileOrDie(dir_.path() / "xcert.yaml")));
  const RunResult r = X({"validate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("xcert.yaml:32:10: error: field 'key' in issuer 'corp-ca' holds "
                               "key material (PEM or base64), not the path of a file; the value "
                               "is not shown; put the key material in a file readable only by "
                               "you (chmod 600) and write that file's path here, e.g. 'key: "
                               "pki/ca.key'"));
  EXPECT_THAT(r.err, Not(HasSubstr("BEGIN")));
  EXPECT_THAT(r.err, Not(HasSubstr("MIGHAgEA")));
}

// Issue 11: a password written where the NAME of its variable belongs was echoed.
TEST_F(ValidateCommandTest, APasswordWhereAVariableNameBelongsIsNeverEchoed) {
  std::string m = ReadFileOrDie(dir_.path() / "xcert.yaml");
  m.replace(m.find("passwordEnv: XCERT_BACKUP_PASSWORD"), 34, "passwordEnv: \"S3cret!Passw0rd\"");
  dir_.Write("xcert.yaml", m);
  const RunResult r = X({"validate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("xcert.yaml:26:16: error: field 'backup.passwordEnv' is not a "
                               "valid environment variable name (the value is not shown: it may "
                               "be a password); write the NAME of the environment variable"));
  EXPECT_THAT(r.err + r.out, Not(HasSubstr("S3cret")));
}

TEST_F(ValidateCommandTest, UnreadableManifestIsInvalid) {
  const RunResult r = X({"validate", "-f", "nope.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("nope.yaml: error: cannot read the manifest"));
  EXPECT_EQ(r.out, "");
}

TEST_F(ValidateCommandTest, AFloodOfErrorsIsCutAfterFiftyWithACount) {
  // 80 certificates naming an issuer that does not exist: 80 errors, of
  // which the first 50 are printed and the rest counted.
  std::string m = ReadFileOrDie(dir_.path() / "xcert.yaml");
  const size_t certs = m.find("certificates:\n");
  ASSERT_NE(certs, std::string::npos);
  m.resize(certs);
  m += "certificates:\n";
  for (int i = 0; i < 80; ++i) {
    m += "  - name: c" + std::to_string(i) + "\n    subject: CN=c" + std::to_string(i) +
         ".pocket-consultant.com\n    issuer: nobody\n    validity: 365d\n"
         "    servers: [MailServer21]\n    services: [SMTP]\n";
  }
  dir_.Write("xcert.yaml", m);
  const RunResult r = X({"validate"});
  EXPECT_EQ(r.exit_code, 1);
  std::vector<std::string> errors;
  std::istringstream err(r.err);
  for (std::string line; std::getline(err, line);) {
    if (line.find(": error: ") != std::string::npos) errors.push_back(line);
  }
  ASSERT_EQ(errors.size(), 51u) << r.err;
  EXPECT_THAT(errors[49], HasSubstr("names unknown issuer 'nobody'"));
  // The last line counts what was not printed; the summary still counts all.
  const std::smatch total = Match(r.err, std::regex(R"(invalid \((\d+) errors)"));
  ASSERT_FALSE(total.empty()) << r.err;
  const int all = std::stoi(total[1]);
  EXPECT_GE(all, 80);
  EXPECT_EQ(errors[50], "xcert.yaml: error: \u2026 and " + std::to_string(all - 50) +
                            " more errors not shown; fix the first ones and run again");
}

}  // namespace
}  // namespace xcert::testing
