// The README's main job, run with the real binary on a copy of
// examples/pocket-consultant: validate, store init, plan, apply, plan again
// (empty), drift (in sync), show; then a year later drift reports the
// renewal, and apply renews.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace xcert::testing {
namespace {

using ::testing::HasSubstr;

class MainStory : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy_file(SourceDir() / "examples/pocket-consultant/xcert.yaml",
                  dir_.path() / "xcert.yaml");
  }
  RunResult X(const std::vector<std::string>& args, std::map<std::string, std::string> env = {}) {
    env.emplace("XCERT_BACKUP_PASSWORD", "e2e-backup-password");
    env.emplace("XCERT_NOW", "2026-11-25T10:00:00Z");
    env.emplace("NO_COLOR", "1");
    return RunXcert(args, dir_.path(), env);
  }
  void Init() {
    RunResult r = X({"store", "init", "--store", "./store", "--server", "MailServer21", "--fqdn",
                     "MailServer21.pocket-consultant.com", "--roles", "Mailbox", "--domain",
                     "pocket-consultant.com"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  TempDir dir_;
};

TEST_F(MainStory, PlanApplyPlanDriftShow) {
  ASSERT_EQ(X({"validate"}).exit_code, 0);
  Init();

  RunResult plan = X({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("# MailServer21/certificate/mail will be created"));
  EXPECT_THAT(plan.out, HasSubstr("Missing: no certificate for 'mail' on MailServer21"));
  EXPECT_THAT(plan.out, HasSubstr("before it loses IIS (certificate only)"));
  EXPECT_THAT(plan.out, HasSubstr("Plan: 1 to create, 0 to replace, 4 to bind, 0 to remove;"));

  RunResult apply = X({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err << apply.out;
  EXPECT_THAT(apply.out, HasSubstr("Apply complete!"));
  EXPECT_THAT(apply.err, HasSubstr("done         create MailServer21 mail ("));
  EXPECT_THAT(apply.err, HasSubstr("enable MailServer21 mail for IIS ("))
      << "progress says which services a certificate now serves";
  EXPECT_TRUE(fs::is_directory(dir_.path() / "backups/MailServer21"));

  RunResult again = X({"plan", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out;
  EXPECT_THAT(again.out, HasSubstr("No changes."));

  RunResult drift = X({"drift"});
  EXPECT_EQ(drift.exit_code, 0) << drift.out;
  EXPECT_THAT(drift.out, HasSubstr("In sync: 1 certificate matches the manifest."));

  RunResult show = X({"show"});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("CN=mail.pocket-consultant.com"));
  EXPECT_THAT(show.out, HasSubstr("IP.WS.."));

  RunResult nothing = X({"apply", "--auto-approve"});
  EXPECT_EQ(nothing.exit_code, 0);
  EXPECT_THAT(nothing.out, HasSubstr("Nothing to do."));
}

TEST_F(MainStory, ApplyWithoutATerminalNeedsAutoApprove) {
  Init();
  RunResult r = X({"apply"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("stdin is not a terminal; pass --auto-approve"));
  EXPECT_EQ(X({"plan", "--detailed-exitcode"}).exit_code, 2) << "nothing may have changed";
}

TEST_F(MainStory, MissingBackupPasswordStopsBeforeAnyChange) {
  Init();
  RunResult r = RunXcert({"apply", "--auto-approve"}, dir_.path(),
                         {{"XCERT_NOW", "2026-11-25T10:00:00Z"}, {"XCERT_BACKUP_PASSWORD", ""}});
  // The example's default certificate is not exportable: its backup is the
  // certificate alone and needs no password, so apply may proceed.
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(MainStory, DriftReportsRenewalAndApplyRenews) {
  Init();
  ASSERT_EQ(X({"apply", "--auto-approve"}).exit_code, 0);
  const std::map<std::string, std::string> later = {{"XCERT_NOW", "2027-11-10T10:00:00Z"}};
  RunResult drift = X({"drift"}, later);
  EXPECT_EQ(drift.exit_code, 2) << drift.out;
  EXPECT_THAT(drift.out,
              HasSubstr("RenewalDue: expires on 2027-11-25 (15 days left, renewBefore 30d)"));

  RunResult junit = X({"drift", "--format", "junit"}, later);
  EXPECT_EQ(junit.exit_code, 2);
  EXPECT_THAT(
      junit.out,
      HasSubstr("<failure type=\"drift\" message=\"[due] RenewalDue: expires on 2027-11-25"));

  RunResult plan = X({"plan"}, later);
  EXPECT_THAT(plan.out, HasSubstr("will be replaced"));
  // A year ahead of the real time: the renewed certificate is not valid yet
  // for the real clock, which apply refuses unless told (XCERT_NOW is a test aid).
  const RunResult refused = X({"apply", "--auto-approve"}, later);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("which does not contain the real time"));
  ASSERT_EQ(X({"apply", "--auto-approve", "--allow-clock-skew"}, later).exit_code, 0);
  EXPECT_EQ(X({"drift"}, later).exit_code, 0);
}

TEST_F(MainStory, SavedPlanIsRefusedWhenTheStoreChanged) {
  Init();
  ASSERT_EQ(X({"plan", "-o", "plan.json"}).exit_code, 0);
  // Someone else applies first, from another manifest for the same store.
  std::string other = ReadFileOrDie(dir_.path() / "xcert.yaml");
  const std::string services = "services: [IIS, IMAP, POP, SMTP]";
  ASSERT_NE(other.find(services), std::string::npos);
  other.replace(other.find(services), services.size(), "services: [IIS]");
  dir_.Write("other.yaml", other);
  ASSERT_EQ(X({"apply", "-f", "other.yaml", "--auto-approve"}).exit_code, 0);
  RunResult r = X({"apply", "plan.json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("the saved plan is stale; the stores changed since it was made:"));
  EXPECT_THAT(r.err, HasSubstr("MailServer21: binding/IIS was"));
}

TEST_F(MainStory, SavedPlanAppliesExactly) {
  Init();
  RunResult saved = X({"plan", "-o", "plan.json"});
  ASSERT_EQ(saved.exit_code, 0) << saved.err;
  EXPECT_THAT(saved.err, HasSubstr("Saved the plan to plan.json"));
  const std::string text = ReadFileOrDie(dir_.path() / "plan.json");
  EXPECT_EQ(text.find("e2e-backup-password"), std::string::npos) << "plans never hold secrets";
  RunResult r = X({"apply", "plan.json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(X({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST_F(MainStory, ChangedManifestInvalidatesASavedPlan) {
  Init();
  ASSERT_EQ(X({"plan", "-o", "plan.json"}).exit_code, 0);
  std::string m = ReadFileOrDie(dir_.path() / "xcert.yaml");
  dir_.Write("xcert.yaml", m + "\n# edited\n");
  RunResult r = X({"apply", "plan.json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("changed since the plan was made; run xcert plan -o again"));
}

}  // namespace
}  // namespace xcert::testing
