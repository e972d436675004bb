// `xcert validate` end to end: the real binary, its exit codes and output.
// (Lives with the manifest tests because the manifest is what it checks; it
// needs the xcert binary, which CTest names in $XCERT_BINARY.)
#include <cstdlib>

#include <gtest/gtest.h>

#include "tests/engine/manifest/manifest_test_util.h"
#include "tests/support/test_util.h"

namespace xcert::manifest::testing {
namespace {

using xcert::testing::RunResult;
using xcert::testing::TempDir;

class ValidateCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* binary = std::getenv("XCERT_BINARY");
    if (!binary || !*binary) GTEST_SKIP() << "skipped: XCERT_BINARY is not set (CTest sets it)";
    if (!std::filesystem::exists(binary)) {
      GTEST_SKIP() << "skipped: " << binary << " is not built";
    }
  }
  RunResult Validate(const std::string& yaml, std::vector<std::string> args = {"validate"}) {
    dir_.Write("xcert.yaml", yaml);
    return xcert::testing::RunXcert(args, dir_.path(), {{"NO_COLOR", "1"}});
  }
  TempDir dir_;
};

TEST_F(ValidateCliTest, ValidManifestExitsZero) {
  const RunResult r = Validate(std::string(kBase));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "xcert.yaml: valid (2 servers, 1 certificate, 0 warnings)\n");
  EXPECT_EQ(r.err, "");
}

// As PowerShell users type them: Enable-ExchangeCertificate -Services iis,smtp.
TEST_F(ValidateCliTest, ServiceNamesInAnyCaseAreValid) {
  const RunResult r = Validate(Replace(kBase, "services: [IIS, SMTP]", "services: [iis, Smtp]"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

TEST_F(ValidateCliTest, WarningsDoNotFailValidation) {
  const RunResult r = Validate(Replace(kBase, "subject: CN=mail.contoso.com", "subject: CN=x.y"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "xcert.yaml: valid (2 servers, 1 certificate, 1 warning)\n");
  EXPECT_EQ(r.err,
            "xcert.yaml:11:14: warning: CN 'x.y' of certificate 'mail' is not among its "
            "dnsNames; add 'x.y' to dnsNames: clients check the DNS names, not the CN\n");
}

TEST_F(ValidateCliTest, ErrorsGoToStderrAndExitOne) {
  const RunResult r = Validate(
      Replace(Replace(kBase, "issuer: corp-ca", "issuer: corp"), "version: 1", "version: 2"),
      {"validate", "-f", "xcert.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "xcert.yaml:1:10: error: field 'version' must be 1, not 2; write 1\n"
            "xcert.yaml:13:13: error: certificate 'mail' names unknown issuer 'corp'; known "
            "issuers: 'self', 'corp-ca'; add an issuer named 'corp' to 'issuers'\n"
            "xcert.yaml: invalid (2 errors, 0 warnings)\n");
}

TEST_F(ValidateCliTest, MissingFile) {
  const RunResult r =
      xcert::testing::RunXcert({"validate", "-f", "nope.yaml"}, dir_.path(), {{"NO_COLOR", "1"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "nope.yaml: error: cannot read the manifest: no such file; check the path, or pass "
            "the manifest with -f FILE\nnope.yaml: invalid (1 error, 0 warnings)\n");
}

TEST_F(ValidateCliTest, ExampleValidates) {
  const RunResult r = xcert::testing::RunXcert(
      {"validate", "-f",
       (xcert::testing::SourceDir() / "examples/pocket-consultant/xcert.yaml").string()},
      dir_.path(), {{"NO_COLOR", "1"}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("valid (1 server, 1 certificate, 1 warning)"), std::string::npos);
}

}  // namespace
}  // namespace xcert::manifest::testing
