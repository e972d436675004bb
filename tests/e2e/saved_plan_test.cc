// Saved plans are data from outside (docs/commands/apply.md, "Saved plans"),
// with the real binary: `apply FILE` refuses a plan that does not match the
// plan schema or that differs from what the manifest plans for the stores it
// observed, and changes nothing; `plan -o` never overwrites the manifest, a
// store, the backups or a file that is not a saved plan.
#include <unistd.h>

#include <fstream>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/test_util.h"

namespace xcert::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

class SavedPlan : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy_file(SourceDir() / "examples/pocket-consultant/xcert.yaml",
                  dir_.path() / "xcert.yaml");
    RunResult r = X({"store", "init", "--store", "./store", "--server", "MailServer21", "--fqdn",
                     "MailServer21.pocket-consultant.com", "--roles", "Mailbox", "--domain",
                     "pocket-consultant.com"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    RunResult plan = X({"plan", "-o", "plan.json"});
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    plan_ = json::parse(ReadFileOrDie(dir_.path() / "plan.json"));
    manifest_ = ReadFileOrDie(dir_.path() / "xcert.yaml");
  }

  RunResult X(const std::vector<std::string>& args) {
    return RunXcert(args, dir_.path(),
                    {{"XCERT_BACKUP_PASSWORD", "e2e-backup-password"},
                     {"XCERT_NOW", "2026-11-25T10:00:00Z"},
                     {"NO_COLOR", "1"}});
  }

  // Applies the saved plan edited by `edit`; expects a refusal that changes
  // nothing. Returns stderr.
  std::string ApplyRefused(const std::function<void(json&)>& edit) {
    json j = plan_;
    edit(j);
    std::ofstream(dir_.path() / "edited.json", std::ios::trunc) << j.dump(2);
    const std::string store_before = Listing(dir_.path() / "store");
    RunResult r = X({"apply", "edited.json"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(Listing(dir_.path() / "store"), store_before) << "nothing may change";
    EXPECT_FALSE(fs::exists(dir_.path() / "backups")) << "nothing may be written";
    EXPECT_THAT(r.err, HasSubstr("edited.json: not a plan xcert can apply"));
    EXPECT_THAT(r.err, HasSubstr("make a new one with xcert plan -o"));
    return r.err;
  }

  static std::string Listing(const fs::path& root) {
    std::string out;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      out += e.path().string() + "\n";
    }
    return out;
  }

  json& StepOfKind(json& j, const std::string& kind) {
    for (json& s : j["steps"]) {
      if (s["kind"] == kind) return s;
    }
    ADD_FAILURE() << "no " << kind << " step in the plan";
    static json none;
    return none;
  }

  TempDir dir_;
  json plan_;
  std::string manifest_;
};

TEST_F(SavedPlan, AnUneditedPlanApplies) {
  RunResult r = X({"apply", "plan.json"});
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_THAT(r.out, HasSubstr("Apply complete!"));
}

// A CI job applies the plan artifact from wherever it runs: the plan names
// its manifest relative to itself, and apply says which manifest that is.
TEST_F(SavedPlan, APlanAppliesFromAnyFolderAndNamesItsManifest) {
  fs::create_directories(dir_.path() / "plans");
  ASSERT_EQ(X({"plan", "-o", "plans/next.json"}).exit_code, 0);
  EXPECT_EQ(json::parse(ReadFileOrDie(dir_.path() / "plans/next.json"))["manifest"]["path"],
            "../xcert.yaml");
  TempDir elsewhere;
  const RunResult r =
      RunXcert({"apply", (dir_.path() / "plans/next.json").string()}, elsewhere.path(),
               {{"XCERT_BACKUP_PASSWORD", "e2e-backup-password"},
                {"XCERT_NOW", "2026-11-25T10:00:00Z"},
                {"NO_COLOR", "1"}});
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_THAT(
      r.err,
      HasSubstr("Applying the saved plan " + (dir_.path() / "plans/next.json").string() + " of " +
                (dir_.path() / "xcert.yaml").string() + ", made at 2026-11-25T10:00:00Z"));
  EXPECT_THAT(r.out, HasSubstr("Apply complete!"));
  EXPECT_TRUE(fs::exists(dir_.path() / "backups")) << "the manifest's backup folder, not cwd's";
  EXPECT_FALSE(fs::exists(elsewhere.path() / "backups"));
}

// A retried CI job applies the same plan twice: the second time says it was
// applied, by which run and when, instead of listing its own changes as stale.
TEST_F(SavedPlan, ApplyingAnAppliedPlanSaysSoAndChangesNothing) {
  ASSERT_EQ(X({"apply", "plan.json"}).exit_code, 0);
  const std::string store_before = Listing(dir_.path() / "store");
  const RunResult again = X({"apply", "plan.json"});
  EXPECT_EQ(again.exit_code, 0) << again.err << again.out;
  EXPECT_THAT(again.err, ::testing::ContainsRegex(
                             "the plan plan\\.json was already applied \\(run [0-9TZ-]+ at "
                             "2026-11-25T10:00:00Z\\); nothing was changed"));
  EXPECT_THAT(again.err, Not(HasSubstr("stale")));
  EXPECT_THAT(again.out, HasSubstr("Nothing to do."));
  EXPECT_EQ(Listing(dir_.path() / "store"), store_before);

  // Without the journal that recorded the run, it is only a stale plan.
  const fs::path state = dir_.path() / "store";  // a local store keeps xcert's state
  ASSERT_TRUE(fs::exists(state / "journal")) << "where is the journal?";
  fs::remove_all(state / "journal");
  const RunResult stale = X({"apply", "plan.json"});
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_THAT(stale.err, HasSubstr("the saved plan is stale"));
  EXPECT_THAT(stale.err, Not(HasSubstr("already applied")));
}

// Issue 11: a backup thumbprint "../../../tmp/x" was taken as written.
TEST_F(SavedPlan, AThumbprintThatIsAPathIsRefused) {
  const std::string err = ApplyRefused(
      [&](json& j) { StepOfKind(j, "backup-export")["thumbprint"] = "../../../tmp/x"; });
  EXPECT_THAT(err, HasSubstr("does not match schemas/plan.schema.json"));
  EXPECT_THAT(err, HasSubstr("/steps/0/thumbprint"));
  EXPECT_THAT(err, Not(HasSubstr("../../../tmp/x"))) << "values from the file are not echoed";
}

TEST_F(SavedPlan, AStepThatDiffersFromWhatTheManifestPlansIsRefused) {
  // Another well-formed thumbprint: the schema accepts it, the manifest does not plan it.
  std::string err = ApplyRefused(
      [&](json& j) { StepOfKind(j, "backup-export")["thumbprint"] = std::string(40, 'A'); });
  EXPECT_THAT(err, HasSubstr("step 1 (backup-export) differs from what xcert.yaml plans for "
                             "these stores (field thumbprint"));
  err = ApplyRefused([&](json& j) { StepOfKind(j, "create")["validity_seconds"] = 3153600000; });
  EXPECT_THAT(err, HasSubstr("(create)"));
  EXPECT_THAT(err, HasSubstr("validity_seconds"));
  err = ApplyRefused([&](json& j) { StepOfKind(j, "create")["subject"] = "CN=evil.example.com"; });
  EXPECT_THAT(err, HasSubstr("(field subject;"));
  err = ApplyRefused([&](json& j) { StepOfKind(j, "create")["server"] = "OtherServer"; });
  EXPECT_THAT(err, HasSubstr("its server is not a server of xcert.yaml"));
  err = ApplyRefused([&](json& j) { j["steps"].erase(j["steps"].size() - 1); });
  EXPECT_THAT(err, HasSubstr("steps, but xcert.yaml plans"));
}

TEST_F(SavedPlan, AFieldTheSchemaDoesNotKnowIsRefused) {
  const std::string err = ApplyRefused([&](json& j) { j["steps"][0]["shell"] = "rm -rf /"; });
  EXPECT_THAT(err, HasSubstr("/steps/0"));
}

// Issue 11, defect 4: plan -o overwrote anything.
TEST_F(SavedPlan, PlanOutRefusesTheManifestTheStoreTheBackupsAndForeignFiles) {
  const fs::path d = dir_.path();
  for (const std::string target : {"xcert.yaml", "./xcert.yaml", "store/MailServer21/notes.json",
                                   "store/x.json", "backups/plan.json", "store/../xcert.yaml"}) {
    RunResult r = X({"plan", "-o", target});
    EXPECT_EQ(r.exit_code, 1) << target;
    EXPECT_THAT(r.err, HasSubstr("plan -o " + target + ": that is ")) << target;
    EXPECT_THAT(r.err, HasSubstr("save the plan elsewhere")) << target;
    RunResult forced = X({"plan", "-o", target, "--force"});
    EXPECT_EQ(forced.exit_code, 1) << target << ": --force never allows it";
  }
  EXPECT_EQ(ReadFileOrDie(d / "xcert.yaml"), manifest_);
  EXPECT_FALSE(fs::exists(d / "store/x.json"));
  EXPECT_FALSE(fs::exists(d / "backups"));

  // A symbolic link to the manifest, or a folder link into the store.
  fs::create_symlink("xcert.yaml", d / "link.json");
  RunResult link = X({"plan", "-o", "link.json", "--force"});
  EXPECT_EQ(link.exit_code, 1);
  EXPECT_THAT(link.err, HasSubstr("that symbolic link leads to the manifest"));
  fs::create_directory_symlink("store/MailServer21", d / "server");
  EXPECT_EQ(X({"plan", "-o", "server/p.json"}).exit_code, 1);
  EXPECT_EQ(ReadFileOrDie(d / "xcert.yaml"), manifest_);

  // A file that is not a saved plan: only with --force.
  std::ofstream(d / "notes.txt") << "my notes\n";
  RunResult notes = X({"plan", "-o", "notes.txt"});
  EXPECT_EQ(notes.exit_code, 1);
  EXPECT_THAT(notes.err, HasSubstr("that file exists and is not a plan xcert saved"));
  EXPECT_EQ(ReadFileOrDie(d / "notes.txt"), "my notes\n");
  EXPECT_EQ(X({"plan", "-o", "notes.txt", "--force"}).exit_code, 0);
  EXPECT_NE(ReadFileOrDie(d / "notes.txt"), "my notes\n");

  // A saved plan (JSON or script) is replaced without --force.
  EXPECT_EQ(X({"plan", "-o", "plan.json"}).exit_code, 0);
  EXPECT_EQ(X({"plan", "-o", "plan.ps1"}).exit_code, 0);
  EXPECT_EQ(X({"plan", "-o", "plan.ps1"}).exit_code, 0);
}

}  // namespace
}  // namespace xcert::testing
