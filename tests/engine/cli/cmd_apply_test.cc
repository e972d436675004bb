// `xcert apply`: every flag of docs/commands/apply.md, with the real binary.
#include <unistd.h>

#include <regex>

#include <nlohmann/json.hpp>

#include "engine/apply/lock.h"
#include "tests/engine/cli/cli_test_util.h"

namespace xcert::testing {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class ApplyCommandTest : public XcertCommandTest {
 protected:
  // The "<kind> <server> <certificate>" of every progress line on stderr, in
  // order (an enable line goes on with "for <services>").
  static std::vector<std::string> Progress(const std::string& err) {
    static const std::regex line(
        R"(\[ *\d+/\d+\] (done|already done|failed|skipped) +(\S+ \S+ \S+)(?: for [^(]+)? \()");
    std::vector<std::string> out;
    for (auto it = std::sregex_iterator(err.begin(), err.end(), line); it != std::sregex_iterator();
         ++it)
      out.push_back((*it)[2]);
    return out;
  }
};

TEST_F(ApplyCommandTest, AutoApprovePerformsThePlanAndReportsEachStep) {
  Init();
  const RunResult r = X({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Plan: 1 to create")) << "the plan is shown first";
  EXPECT_THAT(r.out, HasSubstr("Apply complete! 5 steps: 5 done, 0 already done, 0 failed, 0 "
                               "skipped.\n"));
  EXPECT_EQ(Progress(r.err).size(), 5u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("[1/5] done         backup-export MailServer21"));
  EXPECT_THAT(r.err, HasSubstr("done         enable MailServer21 mail for IIS ("));
  EXPECT_TRUE(fs::exists(dir_.path() / "store" / "journal"));
  EXPECT_EQ(X({"plan", "--detailed-exitcode"}).exit_code, 0) << "converged";
  const RunResult again = X({"apply", "--auto-approve"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_THAT(again.out, HasSubstr("Nothing to do.\n"));
}

TEST_F(ApplyCommandTest, JsonSummary) {
  Init();
  const RunResult r = X({"apply", "--auto-approve", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);  // nothing but the summary on stdout
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["done"], 5);
  EXPECT_EQ(j["failed"], 0);
  ASSERT_EQ(j["steps"].size(), 5u);
  EXPECT_EQ(j["steps"][0]["kind"], "backup-export");
  EXPECT_EQ(j["steps"][0]["status"], "done");
  const nlohmann::json nothing =
      nlohmann::json::parse(X({"apply", "--auto-approve", "--format", "json"}).out);
  EXPECT_EQ(nothing["ok"], true);
  EXPECT_EQ(nothing["done"], 0);
  EXPECT_TRUE(nothing["steps"].empty());
}

TEST_F(ApplyCommandTest, ParallelismOneRunsTheStepsInPlanOrder) {
  dir_.Write("xcert.yaml", TwoServerManifest());
  Init("MailServer21");
  Init("MailServer22");
  const nlohmann::json plan = nlohmann::json::parse(X({"plan", "--format", "json"}).out);
  std::vector<std::string> order;
  for (const auto& s : plan["steps"]) {
    const std::string server = s["server"].get<std::string>();
    const std::string certificate = s["certificate"].get<std::string>();
    // An issue step runs in xcert and names its issuer, as the manifest does.
    const std::string where = server.empty() ? s["issuer"].get<std::string>() : server;
    order.push_back(s["kind"].get<std::string>() + " " + where + " " +
                    (certificate.empty() ? s["thumbprint"].get<std::string>() : certificate));
  }
  const RunResult r = X({"apply", "--auto-approve", "--parallelism", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Progress(r.err), ElementsAreArray(order));
  EXPECT_EQ(X({"drift"}).exit_code, 0);
}

TEST_F(ApplyCommandTest, ParallelApplyConvergesToo) {
  dir_.Write("xcert.yaml", TwoServerManifest());
  Init("MailServer21");
  Init("MailServer22");
  const RunResult r = X({"apply", "--auto-approve", "--parallelism", "8"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(Apply complete! (\d+) steps: (\d+) done)")))
      << r.out;
  EXPECT_EQ(m[1], m[2]) << "every step done";
  EXPECT_EQ(X({"plan", "--detailed-exitcode"}).exit_code, 0);
}

// Steps finish out of order in parallel; each line carries the number the
// plan showed for that step.
TEST_F(ApplyCommandTest, ProgressNumbersAreThePlansStepNumbers) {
  dir_.Write("xcert.yaml", TwoServerManifest());
  Init("MailServer21");
  Init("MailServer22");
  const nlohmann::json plan = nlohmann::json::parse(X({"plan", "--format", "json"}).out);
  const RunResult r = X({"apply", "--auto-approve", "--parallelism", "8"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  static const std::regex line(R"(\[ *(\d+)/(\d+)\] done +(\S+) (\S+) )");
  size_t seen = 0;
  for (auto it = std::sregex_iterator(r.err.begin(), r.err.end(), line);
       it != std::sregex_iterator(); ++it, ++seen) {
    const size_t id = std::stoul((*it)[1]);
    ASSERT_GE(id, 1u);
    ASSERT_LE(id, plan["steps"].size());
    const nlohmann::json& step = plan["steps"][id - 1];
    EXPECT_EQ((*it)[3], step["kind"].get<std::string>()) << "step " << id;
    const std::string server = step["server"];
    EXPECT_EQ((*it)[4], server.empty() ? step["issuer"].get<std::string>() : server)
        << "step " << id;
    EXPECT_EQ(std::stoul((*it)[2]), plan["steps"].size());
  }
  EXPECT_EQ(seen, plan["steps"].size());
}

TEST_F(ApplyCommandTest, WithoutATerminalItAsksForAutoApproveAndChangesNothing) {
  Init();
  const auto before = Snapshot();
  const RunResult r = X({"apply"}, {}, "yes\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("error: apply needs confirmation, but stdin is not a terminal; "
                               "pass --auto-approve"));
  EXPECT_THAT(Changed(before, Snapshot()), IsEmpty());
}

TEST_F(ApplyCommandTest, ASavedPlanNamesItsManifest) {
  Init();
  fs::create_directory(dir_.path() / "plans");
  ASSERT_EQ(X({"plan", "-o", "plans/p.json"}).exit_code, 0);
  // Run from another folder: the plan says which manifest it was made from.
  const RunResult r = RunXcert({"apply", "p.json", "-f", "../xcert.yaml"}, dir_.path() / "plans",
                               {{"XCERT_NOW", kNow}, {"NO_COLOR", "1"}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Apply complete!"));
}

TEST_F(ApplyCommandTest, AMissingSavedPlanIsTheErrorReported) {
  // No xcert.yaml here either: the plan file is what the user named.
  fs::rename(dir_.path() / "xcert.yaml", dir_.path() / "site.yaml");
  const auto before = Snapshot();
  const RunResult r = X({"apply", "nope.json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("error: reading nope.json: No such file or directory"));
  EXPECT_THAT(r.err, Not(HasSubstr("xcert.yaml")));
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(Changed(before, Snapshot()), IsEmpty());
}

TEST_F(ApplyCommandTest, ADamagedSavedPlanIsRefused) {
  dir_.Write("plan.json", "{\"format_version\": 1, \"steps\": [");
  const auto before = Snapshot();
  const RunResult r = X({"apply", "plan.json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("plan.json"));
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(Changed(before, Snapshot()), IsEmpty());
}

TEST_F(ApplyCommandTest, AMissingBackupPasswordStopsBeforeAnyChange) {
  Init();
  ASSERT_EQ(X({"apply", "--auto-approve"}).exit_code, 0);
  // A new name replaces 'mail', whose key is exportable: its backup is a
  // PKCS#12 and needs the password.
  std::string m = ReadFileOrDie(dir_.path() / "xcert.yaml");
  m.replace(m.find("      - autodiscover.pocket-consultant.com\n"), 0,
            "      - owa.pocket-consultant.com\n");
  dir_.Write("xcert.yaml", m);
  const auto before = Snapshot();
  const RunResult r = X({"apply", "--auto-approve"}, {{"XCERT_BACKUP_PASSWORD", ""}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("xcert.yaml:26:16: error: backup.passwordEnv: the environment "
                               "variable XCERT_BACKUP_PASSWORD is not set; export it before "
                               "running xcert; the plan backs up 1 certificate with 1 private "
                               "key, encrypted with this password\n"));
  EXPECT_THAT(r.err, HasSubstr("error: the backup password is needed first (see above); nothing "
                               "was changed\n"));
  EXPECT_THAT(Changed(before, Snapshot()), IsEmpty());
  // Asked before the confirmation, not after a "yes".
  const RunResult asked = X({"apply"}, {{"XCERT_BACKUP_PASSWORD", ""}}, "yes\n");
  EXPECT_EQ(asked.exit_code, 1);
  EXPECT_THAT(asked.err, HasSubstr("error: the backup password is needed first"));
  EXPECT_THAT(asked.err, Not(HasSubstr("needs confirmation")));
  EXPECT_EQ(X({"apply", "--auto-approve"}).exit_code, 0) << "with the password it goes through";
}

// A second apply racing a first must not act on stores read before the
// first finished: apply takes the lock before it reads them, so it fails at
// once, naming the holder, before any plan is made or shown.
TEST_F(ApplyCommandTest, ALockedStoreStopsApplyBeforeItReadsThemToPlan) {
  Init();
  Result<StoreLock> held = StoreLock::Acquire(dir_.path() / "store", *ParseIso8601(kNow));
  ASSERT_TRUE(held.ok()) << held.status().message();
  const std::string holder = "error: the store is locked by pid " + std::to_string(::getpid());
  const RunResult r = X({"apply", "--auto-approve"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(holder));
  EXPECT_EQ(r.out, "") << "no plan was made from stores another apply is changing";
  EXPECT_THAT(r.err, Not(HasSubstr("done")));
  const RunResult json = X({"apply", "--auto-approve", "--format", "json"});
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_EQ(json.out, "");
}

// Nothing to do is also a reading of the stores: while another apply holds
// the lock, it may be wrong.
TEST_F(ApplyCommandTest, ALockedStoreStopsApplyEvenWithNothingToDo) {
  Init();
  ASSERT_EQ(X({"apply", "--auto-approve"}).exit_code, 0);
  Result<StoreLock> held = StoreLock::Acquire(dir_.path() / "store", *ParseIso8601(kNow));
  ASSERT_TRUE(held.ok()) << held.status().message();
  const RunResult r = X({"apply", "--auto-approve"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("the store is locked by pid " + std::to_string(::getpid())));
  EXPECT_THAT(r.out, Not(HasSubstr("Nothing to do.")));
}

// A saved plan is checked against the stores as they are once apply holds
// the lock: here it is stale, but that can only be known after the lock.
TEST_F(ApplyCommandTest, ASavedPlanIsCheckedOnlyUnderTheLock) {
  Init();
  ASSERT_EQ(X({"plan", "-o", "plan.json"}).exit_code, 0);
  // The stores move on: another manifest's apply.
  std::string other = ReadFileOrDie(dir_.path() / "xcert.yaml");
  other += "\n# another manifest\n";
  dir_.Write("other.yaml", other);
  ASSERT_EQ(X({"apply", "-f", "other.yaml", "--auto-approve"}).exit_code, 0);
  {
    Result<StoreLock> held = StoreLock::Acquire(dir_.path() / "store", *ParseIso8601(kNow));
    ASSERT_TRUE(held.ok()) << held.status().message();
    const RunResult r = X({"apply", "plan.json"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.err, HasSubstr("the store is locked by pid " + std::to_string(::getpid())));
    EXPECT_THAT(r.err, Not(HasSubstr("stale"))) << "the stores were read before the lock";
  }
  const RunResult r = X({"apply", "plan.json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("the saved plan is stale"));
}

// Apply writes in a store that store init made, never in a folder that is not one.
TEST_F(ApplyCommandTest, WithoutAStoreApplySaysHowToMakeOneAndWritesNothing) {
  const auto before = Snapshot();
  const RunResult r = X({"apply", "--auto-approve"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("error: there is no local store at "));
  EXPECT_THAT(r.err, HasSubstr("create it and its server as the manifest describes it with:\n"
                               "  xcert store init -f xcert.yaml\n"));
  EXPECT_THAT(Changed(before, Snapshot()), IsEmpty());
}

TEST_F(ApplyCommandTest, InvalidManifestExitsOneAndChangesNothing) {
  Init();
  dir_.Write("xcert.yaml", "version: 1\nstore: {type: local}\n");
  const auto before = Snapshot();
  const RunResult r = X({"apply", "--auto-approve"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("xcert.yaml:2:"));
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(Changed(before, Snapshot()), IsEmpty());
}

}  // namespace
}  // namespace xcert::testing
