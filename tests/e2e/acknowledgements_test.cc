// Acknowledgements with the real binary on the bundled example: accepted
// drift does not fail the pipeline until its day has passed, then fails with
// its reason and age; a dead one is a warning; one reaching more than 90 days
// ahead is an error at its line, for validate and drift alike.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/test_util.h"

namespace xcert::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class AcknowledgementsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy_file(SourceDir() / "examples/pocket-consultant/xcert.yaml",
                  dir_.path() / "xcert.yaml");
    ASSERT_EQ(X({"store", "init", "-f", "xcert.yaml"}).exit_code, 0);
  }
  RunResult X(const std::vector<std::string>& args,
              const std::string& now = "2026-11-25T10:00:00Z") {
    return RunXcert(
        args, dir_.path(),
        {{"XCERT_BACKUP_PASSWORD", "ack-test-password"}, {"XCERT_NOW", now}, {"NO_COLOR", "1"}});
  }
  // The example with these acknowledgements.
  void Acknowledge(const std::string& yaml) {
    const std::string m = ReadFileOrDie(SourceDir() / "examples/pocket-consultant/xcert.yaml");
    dir_.Write("xcert.yaml", m + "\nacknowledgements:\n" + yaml);
  }
  TempDir dir_;
};

TEST_F(AcknowledgementsTest, AcceptedDriftPassesUntilItsDayThenFailsWithItsReasonAndAge) {
  ASSERT_EQ(X({"drift"}).exit_code, 2);
  Acknowledge(
      "  - address: MailServer21/certificate/mail\n"
      "    reason: the new certificate comes with the December change window\n"
      "    until: \"2026-12-10\"\n"
      "    ticket: CHG-4711\n");
  RunResult r = X({"drift"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("acknowledged until 2026-12-10: the new certificate comes with the "
                               "December change window (CHG-4711)"));
  EXPECT_THAT(r.out, HasSubstr("1 acknowledged (not failing)"));
  const nlohmann::json j = nlohmann::json::parse(X({"drift", "--format", "json"}).out);
  EXPECT_EQ(j["items"][0]["acknowledged"]["ticket"], "CHG-4711");
  EXPECT_THAT(X({"drift", "--format", "junit"}).out, HasSubstr("<skipped message="));

  r = X({"drift"}, "2026-12-13T08:00:00Z");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr("acknowledgement expired on 2026-12-10 (3 days ago): the new "
                               "certificate comes with the December change window (CHG-4711)"));
}

TEST_F(AcknowledgementsTest, OneThatMatchesNoDriftIsAWarning) {
  ASSERT_EQ(X({"apply", "--auto-approve"}).exit_code, 0);
  Acknowledge(
      "  - address: MailServer21/certificate/mail\n"
      "    reason: renewal pending\n"
      "    until: \"2026-12-10\"\n");
  const RunResult r = X({"drift"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("the acknowledgement of 'MailServer21/certificate/mail' (renewal "
                               "pending) matches no drift; remove it from the manifest"));
}

TEST_F(AcknowledgementsTest, MoreThanNinetyDaysAheadIsAnErrorAtItsLine) {
  Acknowledge(
      "  - address: MailServer21/certificate/mail\n"
      "    reason: forever\n"
      "    until: \"2027-12-31\"\n");
  for (const char* command : {"validate", "drift", "plan"}) {
    const RunResult r = X({command});
    EXPECT_EQ(r.exit_code, 1) << command;
    EXPECT_THAT(r.err, HasSubstr("xcert.yaml:"));
    EXPECT_THAT(r.err, HasSubstr("until 2027-12-31 is more than 90 days ahead")) << command;
    EXPECT_THAT(r.out, Not(HasSubstr("MailServer21/certificate/mail"))) << command;
  }
  // A missing reason or day is the schema's error, at the entry.
  Acknowledge("  - address: MailServer21/certificate/mail\n");
  const RunResult r = X({"validate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("reason"));
}

}  // namespace
}  // namespace xcert::testing
