// `xcert plan`: every flag of docs/commands/plan.md, with the real binary.
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/engine/cli/cli_test_util.h"

namespace xcert::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

class PlanCommandTest : public XcertCommandTest {
 protected:
  // The step servers of a JSON plan.
  static std::set<std::string> StepServers(const nlohmann::json& plan) {
    std::set<std::string> out;
    for (const auto& s : plan["steps"]) out.insert(s["server"].get<std::string>());
    return out;
  }

  // A store whose next plan replaces the exportable 'mail' that apply made
  // (a name is added): its backup holds a private key, so it needs the backup
  // password. The store's own Exchange certificate is backed up without one.
  void InitWithAKeyToBackUp() {
    Init();
    const RunResult applied = X({"apply", "--auto-approve", "--allow-clock-skew"});
    ASSERT_EQ(applied.exit_code, 0) << applied.err;
    std::string m = ReadFileOrDie(dir_.path() / "xcert.yaml");
    const std::string first = "      - mail.pocket-consultant.com\n";
    m.replace(m.find(first), first.size(), first + "      - extra.pocket-consultant.com\n");
    dir_.Write("xcert.yaml", m);
  }
};

TEST_F(PlanCommandTest, TextByDefaultAndNeverWritesAnything) {
  Init();
  const auto before = Snapshot();
  const RunResult r = X({"plan"});
  EXPECT_EQ(r.exit_code, 0) << "steps without --detailed-exitcode exit 0";
  EXPECT_THAT(r.out, StartsWith("xcert will perform the following actions:\n"));
  EXPECT_THAT(r.out, HasSubstr("Plan: 1 to create, 0 to replace, 4 to bind, 0 to remove; 5 steps "
                               "(1 backup).\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("\033[")));
  // Only the manifest's warning about the self-signed certificate.
  EXPECT_THAT(r.err, HasSubstr("xcert.yaml:44:13: warning: certificate 'mail' is self-signed"));
  EXPECT_THAT(r.err, Not(HasSubstr("error")));
  EXPECT_THAT(Changed(before, Snapshot()), IsEmpty()) << "no lock, no journal, no key";
}

// A forgotten `store init` is said once, first, with the command that fixes
// it, taken from the manifest; running that command is all it takes.
TEST_F(PlanCommandTest, WithoutStoreInitItSaysWhichServersToCreateAndHow) {
  dir_.Write("xcert.yaml", TwoServerManifest());
  const auto before = Snapshot();
  const RunResult none = X({"plan"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_EQ(none.out, "");
  const std::string store = (dir_.path() / "store").string();
  EXPECT_THAT(none.err, HasSubstr("error: there is no local store at " + store +
                                  " yet; create it and its servers as the manifest describes "
                                  "them with:\n  xcert store init -f xcert.yaml\n"));
  EXPECT_THAT(none.err, Not(HasSubstr("blocked")));
  EXPECT_THAT(Changed(before, Snapshot()), IsEmpty());

  // One server made: the other is named alone; its command line, run as
  // printed, is all it takes.
  Init("MailServer21");
  const RunResult one = X({"drift"});
  EXPECT_EQ(one.exit_code, 1);
  const std::string prefix = "the local store " + store +
                             " has no server MailServer22; create it as the manifest describes "
                             "it with:\n  xcert ";
  const size_t at = one.err.find(prefix);
  ASSERT_NE(at, std::string::npos) << one.err;
  std::vector<std::string> args;
  std::istringstream line(one.err.substr(
      at + prefix.size(), one.err.find('\n', at + prefix.size()) - at - prefix.size()));
  for (std::string word; line >> word;) args.push_back(word);
  const RunResult init = X(args);
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_THAT(init.out, HasSubstr("Created MailServer22 (MailServer22.pocket-consultant.com; "
                                  "Mailbox; Exchange 2019) with "));
  EXPECT_THAT(init.out, HasSubstr("MailServer21 already exists in "));
  EXPECT_THAT(init.out, HasSubstr("1 server created in " + store + ", 1 already there\n"));
  EXPECT_EQ(X({"plan"}).exit_code, 0);
}

TEST_F(PlanCommandTest, DetailedExitcodeIsTwoWithStepsAndZeroWithout) {
  Init();
  EXPECT_EQ(X({"plan", "--detailed-exitcode"}).exit_code, 2);
  ASSERT_EQ(X({"apply", "--auto-approve"}).exit_code, 0);
  const RunResult r = X({"plan", "--detailed-exitcode"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, StartsWith("No changes. The certificate stores match the manifest.\n"));
}

TEST_F(PlanCommandTest, SameInputsSameBytes) {
  Init();
  const RunResult a = X({"plan", "--format", "json"});
  const RunResult b = X({"plan", "--format", "json"});
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(X({"plan"}).out, X({"plan"}).out);
}

TEST_F(PlanCommandTest, JsonIsThePlanFormat) {
  Init();
  const RunResult r = X({"plan", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["steps"].size(), 5u);
  EXPECT_EQ(j["steps"][0]["kind"], "backup-export");
  EXPECT_EQ(j["manifest"]["path"], "xcert.yaml");
  EXPECT_EQ(j["manifest"]["sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(r.out.find("cli-test-backup-password"), std::string::npos) << "no secrets";
}

TEST_F(PlanCommandTest, MarkdownIsAPullRequestComment) {
  Init();
  const RunResult r = X({"plan", "--format", "markdown"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("### xcert plan\n\n**Plan: 1 to create"));
  EXPECT_THAT(r.out, HasSubstr("> [!WARNING]\n> backup of"));
  EXPECT_THAT(r.out, HasSubstr("<details><summary>Steps (5)</summary>"));
}

TEST_F(PlanCommandTest, DotIsTheStepGraph) {
  Init();
  const RunResult r = X({"plan", "--format", "dot"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("digraph G {\n"));
  size_t nodes = 0;
  for (size_t at = 0; (at = r.out.find("[label=", at)) != std::string::npos; ++at) ++nodes;
  EXPECT_EQ(nodes, 5u);
  EXPECT_THAT(r.out, HasSubstr("->"));
}

TEST_F(PlanCommandTest, Ps1IsAnExchangeManagementShellScript) {
  Init();
  const RunResult r = X({"plan", "--format", "ps1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("MailServer21"));
  EXPECT_THAT(r.out, HasSubstr("Enable-ExchangeCertificate"));
}

TEST_F(PlanCommandTest, OutSavesAJsonPlanThatApplyPerforms) {
  Init();
  const RunResult r = X({"plan", "-o", "plan.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Plan: 1 to create")) << "stdout still shows the plan";
  EXPECT_THAT(
      r.err,
      HasSubstr("Saved the plan to plan.json (it names its manifest, so apply can run from any "
                "folder); apply exactly these steps with: "
                "xcert apply plan.json"));
  const nlohmann::json saved = nlohmann::json::parse(ReadFileOrDie(dir_.path() / "plan.json"));
  EXPECT_EQ(saved["steps"].size(), 5u);
  EXPECT_EQ(saved, nlohmann::json::parse(X({"plan", "--format", "json"}).out))
      << "the saved plan is what --format json prints";
  const RunResult apply = X({"apply", "plan.json"});
  EXPECT_EQ(apply.exit_code, 0) << apply.err;
}

TEST_F(PlanCommandTest, OutEndingInPs1SavesAScript) {
  Init();
  const RunResult r = X({"plan", "--out", "plan.ps1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("Saved the plan as a PowerShell script: plan.ps1"));
  EXPECT_EQ(ReadFileOrDie(dir_.path() / "plan.ps1"), X({"plan", "--format", "ps1"}).out);
}

// --format says what stdout shows; the saved file's kind follows its name.
TEST_F(PlanCommandTest, FormatPs1WithAJsonOutStillSavesJson) {
  Init();
  const RunResult r = X({"plan", "--format", "ps1", "-o", "plan.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Enable-ExchangeCertificate"));
  EXPECT_TRUE(nlohmann::json::accept(ReadFileOrDie(dir_.path() / "plan.json")));
  EXPECT_THAT(r.err, HasSubstr("xcert apply plan.json"));
  EXPECT_EQ(X({"apply", "plan.json"}).exit_code, 0);
}

TEST_F(PlanCommandTest, OutIntoAMissingFolderFailsNamingItAndPrintsNoPlan) {
  Init();
  const RunResult r = X({"plan", "-o", "missing/plan.json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("error: writing missing/plan.json: No such file or directory"));
  EXPECT_EQ(r.out, "");
}

TEST_F(PlanCommandTest, ServerChangesOnlyThatServer) {
  dir_.Write("xcert.yaml", TwoServerManifest());
  Init("MailServer21");
  Init("MailServer22");
  const nlohmann::json all = nlohmann::json::parse(X({"plan", "--format", "json"}).out);
  EXPECT_TRUE(StepServers(all).count("MailServer21"));
  EXPECT_TRUE(StepServers(all).count("MailServer22"));

  const RunResult r = X({"plan", "--format", "json", "--server", "MailServer21"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json one = nlohmann::json::parse(r.out);
  ASSERT_FALSE(one["steps"].empty());
  EXPECT_FALSE(StepServers(one).count("MailServer22")) << r.out;

  const RunResult both =
      X({"plan", "--format", "json", "--server", "MailServer21", "--server", "MailServer22"});
  EXPECT_EQ(nlohmann::json::parse(both.out)["steps"], all["steps"]) << "--server is repeatable";
}

TEST_F(PlanCommandTest, UnknownServerIsAnErrorThatListsTheKnownOnesAndWritesNothing) {
  Init();
  const auto before = Snapshot();
  RunResult r = X({"plan", "--server", "MailServer12", "-o", "plan.json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("error: --server 'MailServer12': xcert.yaml has no such server; did "
                               "you mean MailServer21? Known servers: MailServer21\n"));
  EXPECT_EQ(r.out, "");
  r = X({"plan", "--server", "zzz"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("error: --server 'zzz': xcert.yaml has no such server; known "
                               "servers: MailServer21\n"));
  EXPECT_THAT(Changed(before, Snapshot()), IsEmpty());
}

TEST_F(PlanCommandTest, InvalidManifestExitsOneAndWritesNothing) {
  Init();
  dir_.Write("bad.yaml", "version: 1\nstore: {type: local, path: ./store}\nservers: 7\n");
  const auto before = Snapshot();
  const RunResult r = X({"plan", "-f", "bad.yaml", "-o", "plan.json", "--detailed-exitcode"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("bad.yaml:3:10: error:"));
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(Changed(before, Snapshot()), IsEmpty());
}

TEST_F(PlanCommandTest, MissingManifestIsNamed) {
  const RunResult r = X({"plan", "--file", "nope.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("nope.yaml: error: cannot read the manifest"));
  EXPECT_EQ(r.out, "");
}

TEST_F(PlanCommandTest, ManifestElsewhereResolvesItsStoreBesideIt) {
  Init();
  fs::create_directory(dir_.path() / "sub");
  const RunResult r =
      RunXcert({"plan", "-f", "../xcert.yaml", "--detailed-exitcode"}, dir_.path() / "sub",
               {{"XCERT_NOW", kNow},
                {"NO_COLOR", "1"},
                {"XCERT_BACKUP_PASSWORD", "cli-test-backup-password"}});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Plan: 1 to create"));
  EXPECT_FALSE(fs::exists(dir_.path() / "sub" / "store"));
}

// Issue 11: plan printed the whole pasted key in "cannot read ... does not exist".
TEST_F(PlanCommandTest, AKeyPastedIntoTheManifestIsNeverPrinted) {
  Init();
  dir_.Write("xcert.yaml", ManifestWithPastedCaKey(ReadFileOrDie(dir_.path() / "xcert.yaml")));
  const RunResult r = X({"plan"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("xcert.yaml:32:10: error: field 'key' in issuer 'corp-ca' holds "
                               "key material"));
  EXPECT_THAT(r.err, Not(HasSubstr("BEGIN")));
  EXPECT_THAT(r.err, Not(HasSubstr("MIGHAgEA")));
}

// Issue 11: plan left a missing backup password to apply, which then stopped
// after the plan was confirmed.
TEST_F(PlanCommandTest, AMissingBackupPasswordIsAnErrorAtItsManifestLine) {
  InitWithAKeyToBackUp();
  const auto before = Snapshot();
  const RunResult r = RunXcert({"plan"}, dir_.path(), {{"XCERT_NOW", kNow}, {"NO_COLOR", "1"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "") << "no plan that apply could not perform";
  EXPECT_THAT(r.err, HasSubstr("xcert.yaml:26:16: error: backup.passwordEnv: the environment "
                               "variable XCERT_BACKUP_PASSWORD is not set; export it before "
                               "running xcert; the plan backs up 1 certificate with 1 private "
                               "key, encrypted with this password"));
  EXPECT_THAT(Changed(before, Snapshot()), IsEmpty());
}

TEST_F(PlanCommandTest, ABackupPasswordFileThatIsMissingOrOpenToOthersIsAnErrorAtItsLine) {
  InitWithAKeyToBackUp();
  std::string m = ReadFileOrDie(dir_.path() / "xcert.yaml");
  m.replace(m.find("passwordEnv: XCERT_BACKUP_PASSWORD"), 34, "passwordFile: backup.pass");
  dir_.Write("xcert.yaml", m);
  const std::map<std::string, std::string> env = {{"XCERT_NOW", kNow}, {"NO_COLOR", "1"}};
  RunResult r = RunXcert({"plan"}, dir_.path(), env);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("xcert.yaml:26:17: error: backup.passwordFile: the secret file "));
  EXPECT_THAT(r.err, HasSubstr("backup.pass does not exist; create it (mode 0600)"));
  const fs::path file = dir_.Write("backup.pass", "file-backup-password\n");
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  r = RunXcert({"plan"}, dir_.path(), env);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("xcert.yaml:26:17: error: backup.passwordFile: the secret file "));
  EXPECT_THAT(r.err, HasSubstr("is readable by others (mode 0640); run chmod 600 "));
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
  r = RunXcert({"plan"}, dir_.path(), env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("(1 backup)"));
}

// A password written where its variable's name belongs, in the form of a
// name: the message says which setting to fix, without echoing it.
TEST_F(PlanCommandTest, AVariableNameThatMayBeAPasswordIsNotEchoed) {
  InitWithAKeyToBackUp();
  std::string m = ReadFileOrDie(dir_.path() / "xcert.yaml");
  m.replace(m.find("passwordEnv: XCERT_BACKUP_PASSWORD"), 34, "passwordEnv: Winter2026");
  dir_.Write("xcert.yaml", m);
  const RunResult r = X({"plan"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err,
              HasSubstr("xcert.yaml:26:16: error: backup.passwordEnv: the environment "
                        "variable named in backup.passwordEnv (not shown: it is not written like a "
                        "variable name and may be a password) is not set"));
  EXPECT_THAT(r.err, Not(HasSubstr("Winter2026")));
}

TEST_F(PlanCommandTest, AStoreThatCannotBeReadBlocksThePlan) {
  InitDamaged();
  const RunResult r = X({"plan", "--detailed-exitcode"});
  EXPECT_EQ(r.exit_code, 1) << "blocked, not 'changes'";
  EXPECT_THAT(r.out, HasSubstr("blocked"));
  EXPECT_THAT(r.out, HasSubstr("MailServer21"));
}

// A blocked plan leaves part of the manifest unplanned: saved, it would be
// applied as if it were the whole change.
TEST_F(PlanCommandTest, ABlockedPlanIsNotSavedAndSaysSo) {
  InitDamaged();
  const auto before = Snapshot();
  for (const char* file : {"plan.json", "plan.ps1"}) {
    const RunResult r = X({"plan", "-o", file});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.out, HasSubstr("blocked")) << "stdout still shows the plan and why";
    EXPECT_THAT(r.err, HasSubstr(std::string("error: the plan is blocked (see above), so ") + file +
                                 " was not written; fix what blocks it and run xcert plan -o " +
                                 file + " again\n"));
    EXPECT_THAT(r.err, Not(HasSubstr("Saved the plan")));
  }
  EXPECT_THAT(Changed(before, Snapshot()), IsEmpty());
}

}  // namespace
}  // namespace xcert::testing
