// A store that cannot be tricked, with the real binary on a copy of
// examples/pocket-consultant: symbolic links planted in the store, its lock,
// its journal and the backup folder are reported and never followed; a
// backup folder inside the store (or the reverse) is refused; values the
// store could not read back are refused at their manifest line; XCERT_NOW
// never deploys a certificate that is not valid at the real time; two
// spellings of one Exchange server are never two servers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace xcert::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class HostileStore : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy_file(SourceDir() / "examples/pocket-consultant/xcert.yaml",
                  dir_.path() / "xcert.yaml");
  }
  RunResult X(const std::vector<std::string>& args, std::map<std::string, std::string> env = {}) {
    env.emplace("XCERT_BACKUP_PASSWORD", "e2e-backup-password");
    env.emplace("XCERT_NOW", kNow);
    env.emplace("NO_COLOR", "1");
    return RunXcert(args, dir_.path(), env);
  }
  void Init(const std::string& server = "MailServer21") {
    RunResult r = X({"store", "init", "--store", "./store", "--server", server, "--fqdn",
                     server + ".pocket-consultant.com", "--roles", "Mailbox", "--domain",
                     "pocket-consultant.com"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // Replaces `relative` with a symbolic link to a copy of it outside the store.
  fs::path LinkOut(const std::string& relative) {
    const fs::path outside = dir_.path() / "outside" / fs::path(relative).filename();
    fs::create_directories(outside.parent_path());
    fs::rename(dir_.path() / relative, outside);
    fs::create_symlink(outside, dir_.path() / relative);
    return outside;
  }
  // Every file below `dir` with its content.
  static std::map<std::string, std::string> Files(const fs::path& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      out[fs::relative(e.path(), dir).string()] =
          e.is_regular_file() ? ReadFileOrDie(e.path()) : "<dir>";
    }
    return out;
  }
  void EditManifest(const std::string& from, const std::string& to) {
    EditFileOrDie(dir_.path() / "xcert.yaml", from, to);
  }

  static constexpr const char* kNow = "2026-11-25T10:00:00Z";
  static constexpr const char* kLinkReason = "a symbolic link, which xcert does not follow";
  TempDir dir_;
};

TEST_F(HostileStore, ALockThatIsASymlinkIsRefusedAndItsTargetNeverTouched) {
  Init();
  const fs::path victim = dir_.Write("victim.txt", "precious\n");
  fs::remove(dir_.path() / "store/xcert.lock");
  fs::create_symlink(victim, dir_.path() / "store/xcert.lock");
  const RunResult r = X({"apply", "--auto-approve"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("store/xcert.lock: " + std::string(kLinkReason)));
  EXPECT_EQ(ReadFileOrDie(victim), "precious\n") << "the link's target was written";
  EXPECT_EQ(X({"plan", "--detailed-exitcode"}).exit_code, 2) << "apply changed the store";
}

TEST_F(HostileStore, AServerFolderThatIsASymlinkIsDamageForShowPlanAndApply) {
  Init();
  const fs::path outside = LinkOut("store/MailServer21");
  const auto before = Files(outside);

  const RunResult show = X({"show"});
  EXPECT_EQ(show.exit_code, 1) << "show hid the server: " << show.out;
  EXPECT_THAT(show.err, HasSubstr("store/MailServer21: " + std::string(kLinkReason)));

  const RunResult plan = X({"plan"});
  EXPECT_EQ(plan.exit_code, 1) << plan.out;
  EXPECT_THAT(plan.out + plan.err, HasSubstr("store/MailServer21: " + std::string(kLinkReason)));

  const RunResult apply = X({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1);
  EXPECT_EQ(Files(outside), before) << "apply wrote through the link";
}

TEST_F(HostileStore, ACertificatesFolderThatIsASymlinkIsNeverWrittenThrough) {
  Init();
  const fs::path outside = LinkOut("store/MailServer21/certificates");
  const auto before = Files(outside);
  const RunResult plan = X({"plan"});
  EXPECT_EQ(plan.exit_code, 1) << plan.out;
  EXPECT_THAT(plan.out + plan.err,
              HasSubstr("store/MailServer21/certificates: " + std::string(kLinkReason)));
  const RunResult apply = X({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1);
  EXPECT_EQ(Files(outside), before) << "apply wrote through the link";
}

TEST_F(HostileStore, AFileThatIsASymlinkIsReportedWithItsPath) {
  Init();
  // The one certificate store init made, and its cert.pem made a link.
  fs::path cert;
  for (const auto& e : fs::directory_iterator(dir_.path() / "store/MailServer21/certificates")) {
    cert = e.path() / "cert.pem";
  }
  ASSERT_TRUE(fs::exists(cert));
  const std::string relative = fs::relative(cert, dir_.path()).string();
  LinkOut(relative);
  const RunResult show = X({"show"});
  EXPECT_EQ(show.exit_code, 1);
  EXPECT_THAT(show.err, HasSubstr(relative + ": " + std::string(kLinkReason)));
  const RunResult drift = X({"drift"});
  EXPECT_NE(drift.exit_code, 0);
  EXPECT_THAT(drift.out + drift.err, HasSubstr(relative + ": " + std::string(kLinkReason)));
}

TEST_F(HostileStore, AJournalFolderThatIsASymlinkIsRefusedBeforeAnyChange) {
  Init();
  fs::create_directories(dir_.path() / "elsewhere");
  fs::create_directory_symlink(dir_.path() / "elsewhere", dir_.path() / "store/journal");
  const RunResult apply = X({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1);
  EXPECT_THAT(apply.err, HasSubstr("store/journal: " + std::string(kLinkReason)));
  EXPECT_TRUE(fs::is_empty(dir_.path() / "elsewhere")) << "a journal was written through the link";
  EXPECT_EQ(X({"plan", "--detailed-exitcode"}).exit_code, 2) << "apply changed the store";
}

TEST_F(HostileStore, ABackupServerFolderThatIsASymlinkIsNeverWrittenThrough) {
  Init();
  ASSERT_EQ(X({"apply", "--auto-approve"}).exit_code, 0);
  // A year later the renewal backs up the old certificate: not through a link.
  fs::remove_all(dir_.path() / "backups/MailServer21");
  fs::create_directories(dir_.path() / "elsewhere");
  fs::create_directory_symlink(dir_.path() / "elsewhere", dir_.path() / "backups/MailServer21");
  const RunResult renew =
      X({"apply", "--auto-approve", "--allow-clock-skew"}, {{"XCERT_NOW", "2027-11-10T10:00:00Z"}});
  EXPECT_EQ(renew.exit_code, 1) << renew.out;
  EXPECT_THAT(renew.err + renew.out,
              HasSubstr("backups/MailServer21: " + std::string(kLinkReason)));
  EXPECT_TRUE(fs::is_empty(dir_.path() / "elsewhere")) << "a backup was written through the link";
}

TEST_F(HostileStore, ABackupFolderInsideTheStoreIsRefusedAtItsLine) {
  EditManifest("path: ./backups", "path: ./store/backups");
  const RunResult r = X({"validate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("xcert.yaml:25:9: error: the backup folder './store/backups' is "
                               "inside the store './store' (line 22)"));
}

TEST_F(HostileStore, AStoreInsideTheBackupFolderIsRefusedAtItsLine) {
  EditManifest("path: ./backups", "path: .");
  const RunResult r = X({"validate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("xcert.yaml:25:9: error: the store './store' (line 22) is inside "
                               "the backup folder '.'"));
}

TEST_F(HostileStore, ABackupFolderThatLeadsIntoTheStoreThroughALinkIsRefusedBeforeAnyChange) {
  Init();
  const auto before = Files(dir_.path() / "store");
  fs::create_directory_symlink(dir_.path() / "store", dir_.path() / "backups");
  ASSERT_EQ(X({"validate"}).exit_code, 0) << "as written, the folders are apart";
  for (const std::vector<std::string>& command :
       std::vector<std::vector<std::string>>{{"plan"}, {"apply", "--auto-approve"}}) {
    const RunResult r = X(command);
    EXPECT_EQ(r.exit_code, 1) << command[0];
    EXPECT_THAT(r.err, HasSubstr("are one inside the other once links are followed")) << command[0];
  }
  EXPECT_EQ(Files(dir_.path() / "store"), before);
}

TEST_F(HostileStore, AValidityTheStoreCannotHoldIsRefusedAtItsLine) {
  EditManifest("validity: 365d", "validity: 8000y");
  const RunResult r = X({"validate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("xcert.yaml:49:15: error: validity (8000y) of certificate 'mail' "
                               "is longer than 100 years"));
  // One day over the cap is over it.
  EditManifest("validity: 8000y", "validity: 36501d");
  EXPECT_THAT(X({"validate"}).err, HasSubstr("validity (36501d) of certificate 'mail' is longer"));
}

TEST_F(HostileStore, TheLongestValidityIsWrittenAndReadBack) {
  EditManifest("validity: 365d", "validity: 100y");
  Init();
  const RunResult apply = X({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err;
  const RunResult show = X({"show"});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("CN=mail.pocket-consultant.com"));
  EXPECT_EQ(X({"plan", "--detailed-exitcode"}).exit_code, 0) << "the server is not blocked";
}

TEST_F(HostileStore, XcertNowIsAnnouncedAndAMalformedOneIsAnError) {
  Init();
  const RunResult plan = X({"plan"});
  EXPECT_THAT(plan.err, HasSubstr("warning: XCERT_NOW is set: xcert takes the time to be "
                                  "2026-11-25T10:00:00Z"));
  for (const std::vector<std::string>& command : std::vector<std::vector<std::string>>{
           {"plan"}, {"drift"}, {"apply", "--auto-approve"}, {"show"}}) {
    const RunResult r = X(command, {{"XCERT_NOW", "next tuesday"}});
    EXPECT_EQ(r.exit_code, 1) << command[0];
    EXPECT_THAT(r.err, HasSubstr("error: XCERT_NOW: 'next tuesday' is not a UTC time"))
        << command[0];
  }
  EXPECT_EQ(X({"plan", "--detailed-exitcode"}).exit_code, 2) << "nothing was changed";
}

TEST_F(HostileStore, XcertNowInThePastNeverDeploysAnExpiredCertificate) {
  Init();
  const std::string bindings_before =
      ReadFileOrDie(dir_.path() / "store/MailServer21/bindings.json");
  const RunResult r = X({"apply", "--auto-approve"}, {{"XCERT_NOW", "2019-06-01T00:00:00Z"}});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.err, HasSubstr("which does not contain the real time"));
  EXPECT_THAT(r.err, HasSubstr("--allow-clock-skew"));
  EXPECT_EQ(ReadFileOrDie(dir_.path() / "store/MailServer21/bindings.json"), bindings_before)
      << "a certificate that expired in 2020 was bound";

  const RunResult allowed =
      X({"apply", "--auto-approve", "--allow-clock-skew"}, {{"XCERT_NOW", "2019-06-01T00:00:00Z"}});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
}

TEST_F(HostileStore, XcertNowInTheFutureNeverDeploysANotYetValidCertificate) {
  Init();
  const RunResult r = X({"apply", "--auto-approve"}, {{"XCERT_NOW", "2035-01-01T00:00:00Z"}});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.err, HasSubstr("which does not contain the real time"));
}

TEST_F(HostileStore, TwoSpellingsOfOneServerAreNeverTwoStores) {
  Init("MailServer21");
  const RunResult init = X({"store", "init", "--store", "./store", "--server", "mailserver21",
                            "--fqdn", "mailserver21.pocket-consultant.com", "--roles", "Mailbox"});
  EXPECT_EQ(init.exit_code, 1);
  EXPECT_THAT(init.err, HasSubstr("which is the same Exchange server (names differ only in case)"));
  EXPECT_FALSE(fs::exists(dir_.path() / "store/mailserver21"));

  // The manifest spells it differently from the store: no hint to create it.
  std::string m = ReadFileOrDie(dir_.path() / "xcert.yaml");
  for (size_t at; (at = m.find("MailServer21")) != std::string::npos;) {
    m.replace(at, 12, "mailserver21");
  }
  dir_.Write("xcert.yaml", m);
  const RunResult plan = X({"plan"});
  EXPECT_EQ(plan.exit_code, 1);
  EXPECT_THAT(plan.out + plan.err, HasSubstr("same Exchange server"));
  EXPECT_THAT(plan.out + plan.err, Not(HasSubstr("store init")));
}

TEST_F(HostileStore, TwoSpellingsOfOneServerInTheManifestAreRefusedAtTheSecond) {
  std::string m = ReadFileOrDie(dir_.path() / "xcert.yaml");
  const std::string server =
      "  - name: MailServer21\n"
      "    fqdn: MailServer21.pocket-consultant.com\n"
      "    roles: [Mailbox]\n"
      "    version: \"2019\"\n";
  const size_t at = m.find(server);
  ASSERT_NE(at, std::string::npos);
  m.insert(at + server.size(),
           "  - name: mailserver21\n"
           "    fqdn: mailserver21.pocket-consultant.com\n"
           "    roles: [Mailbox]\n");
  dir_.Write("xcert.yaml", m);
  const RunResult r = X({"validate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("xcert.yaml:37:11: error: server name 'mailserver21' is used twice "
                               "(first at line 33, as 'MailServer21')"));
}

}  // namespace
}  // namespace xcert::testing
