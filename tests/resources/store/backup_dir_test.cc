#include "resources/store/backup_dir.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>

#include <gtest/gtest.h>

#include "tests/resources/store/store_test_util.h"

namespace xcert::store {
namespace {

using testing::TempDir;

CertificateInfo Info(const testing::Issued& c) {
  Result<CertificateInfo> info = x509::ParseCertificate(c.der);
  EXPECT_TRUE(info.ok());
  return info.ok() ? *info : CertificateInfo{};
}

unsigned Mode(const fs::path& p) {
  struct stat st;
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 07777;
}

TEST(BackupDirTest, SavesPkcs12As0600AndNeverReplacesAnExistingBackup) {
  TempDir dir;
  BackupDir backups(dir.path() / "backups");
  const testing::Issued c = testing::IssueWithKey();
  EXPECT_EQ(backups.Prove("MailServer21", c.thumbprint, "pw", true).status().code(),
            Code::kNotFound);
  Result<std::string> path = backups.Save("MailServer21", Info(c), testing::Pkcs12Of(c, "pw"));
  ASSERT_TRUE(path.ok()) << path.status().message();
  EXPECT_EQ(*path, (dir.path() / "backups" / "MailServer21" / (c.thumbprint + ".pfx")).string());
  EXPECT_EQ(Mode(*path), 0600u);
  Result<x509::Pkcs12Contents> back = x509::ReadPkcs12(xcert::testing::ReadFileOrDie(*path), "pw");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->certificate_der, c.der);
  Result<std::string> proven = backups.Prove("MailServer21", c.thumbprint, "pw", true);
  ASSERT_TRUE(proven.ok()) << proven.status().message();
  EXPECT_EQ(*proven, *path);

  // A second save refuses to replace the first file.
  Result<std::string> again = backups.Save("MailServer21", Info(c), std::string("other"));
  EXPECT_EQ(again.status().code(), Code::kAlreadyExists);
  EXPECT_TRUE(x509::ReadPkcs12(xcert::testing::ReadFileOrDie(*path), "pw").ok());
}

TEST(BackupDirTest, ANonExportableKeySavesTheCertificateAlone) {
  TempDir dir;
  BackupDir backups(dir.path());
  const testing::Issued c = testing::IssueWithKey();
  Result<std::string> path = backups.Save("MailServer21", Info(c), std::nullopt);
  ASSERT_TRUE(path.ok()) << path.status().message();
  EXPECT_EQ(fs::path(*path).filename(), c.thumbprint + ".crt");
  EXPECT_EQ(xcert::testing::ReadFileOrDie(*path), x509::ToPem("CERTIFICATE", c.der));
  std::string lower = c.thumbprint;
  for (char& ch : lower) ch = char(std::tolower(ch));
  Result<std::string> proven = backups.Prove("MailServer21", lower, "", false);
  ASSERT_TRUE(proven.ok()) << proven.status().message();
  EXPECT_EQ(*proven, *path) << "thumbprints are case-insensitive";
  EXPECT_EQ(backups.Prove("MailServer21", c.thumbprint, "", true).status().code(),
            Code::kFailedPrecondition)
      << "a certificate alone does not prove the backup of an exportable key";
}

// Every way a file can be there without being the backup: none is proven,
// and the reason names the file but never the password.
TEST(BackupDirTest, AFileThatIsThereIsNotProvenUnlessItDecryptsToTheCertificate) {
  const std::string kPw = "s3cret-Backup-Pw";
  TempDir dir;
  BackupDir backups(dir.path());
  const testing::Issued c = testing::IssueWithKey();
  const testing::Issued other = testing::IssueWithKey();
  const std::string pfx = "MailServer21/" + c.thumbprint + ".pfx";
  const std::string good = testing::Pkcs12Of(c, kPw);
  const std::map<std::string, std::string> cases = {
      {"junk", "8 bytes!"},
      {"empty", ""},
      {"truncated", good.substr(0, good.size() / 2)},
      {"another certificate", testing::Pkcs12Of(other, kPw)},
      {"another password", testing::Pkcs12Of(c, "not-the-backup-password")},
  };
  for (const auto& [what, bytes] : cases) {
    dir.Write(pfx, bytes);
    Result<std::string> proven = backups.Prove("MailServer21", c.thumbprint, kPw, true);
    EXPECT_EQ(proven.status().code(), Code::kFailedPrecondition) << what;
    EXPECT_NE(proven.status().message().find(pfx), std::string::npos) << what;
    EXPECT_EQ(proven.status().message().find(kPw), std::string::npos) << what;
  }
  dir.Write(pfx, good);
  EXPECT_TRUE(backups.Prove("MailServer21", c.thumbprint, kPw, true).ok());
  EXPECT_EQ(backups.Prove("MailServer21", c.thumbprint, "wrong", true).status().code(),
            Code::kFailedPrecondition);
}

TEST(BackupDirTest, KeepAsideMovesTheOldFileToANewNameAndNeverOverwritesOne) {
  TempDir dir;
  BackupDir backups(dir.path());
  const testing::Issued c = testing::IssueWithKey();
  const fs::path pfx = dir.Write("MailServer21/" + c.thumbprint + ".pfx", "junk one");
  Result<std::string> first = backups.KeepAside("MailServer21", c.thumbprint);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(*first, pfx.string() + ".unproven.1");
  EXPECT_FALSE(fs::exists(pfx));
  dir.Write("MailServer21/" + c.thumbprint + ".pfx", "junk two");
  Result<std::string> second = backups.KeepAside("MailServer21", c.thumbprint);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, pfx.string() + ".unproven.2");
  EXPECT_EQ(xcert::testing::ReadFileOrDie(*first), "junk one");
  EXPECT_EQ(xcert::testing::ReadFileOrDie(*second), "junk two");
  EXPECT_EQ(*backups.KeepAside("MailServer21", c.thumbprint), "") << "nothing left to move";
  ASSERT_TRUE(backups.Save("MailServer21", Info(c), testing::Pkcs12Of(c, "pw")).ok());
  EXPECT_TRUE(backups.Prove("MailServer21", c.thumbprint, "pw", true).ok());
}

// A process killed while writing a backup leaves its temporary file, with a
// private key in it: the next Save deletes those of processes that are gone.
TEST(BackupDirTest, SavingDeletesWhatDeadWritersLeft) {
  TempDir dir;
  const pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(dead, nullptr, 0), dead);
  const std::string t(40, 'A');
  const fs::path killed =
      dir.Write("MailServer21/" + t + ".pfx.tmp." + std::to_string(dead) + ".5", "k");
  const fs::path other = dir.Write("Edge01/" + t + ".crt.tmp." + std::to_string(dead) + ".6", "c");
  const fs::path live =
      dir.Write("MailServer21/" + t + ".pfx.tmp." + std::to_string(::getppid()) + ".7", "k");
  const fs::path unknown = dir.Write("MailServer21/notes.tmp." + std::to_string(dead), "n");
  BackupDir backups(dir.path());
  EXPECT_TRUE(fs::exists(killed)) << "nothing is deleted before a backup is written";
  ASSERT_TRUE(backups.Save("MailServer21", Info(testing::IssueWithKey()), std::nullopt).ok());
  EXPECT_FALSE(fs::exists(killed));
  EXPECT_FALSE(fs::exists(other)) << "every server's folder";
  EXPECT_TRUE(fs::exists(live)) << "a running process may still be writing it";
  EXPECT_TRUE(fs::exists(unknown)) << "not a backup's temporary file";
}

TEST(BackupDirTest, NamesThatCouldLeaveTheFolderAreRefused) {
  TempDir dir;
  BackupDir backups(dir.path());
  CertificateInfo c = Info(testing::IssueWithKey());
  EXPECT_EQ(backups.Save("../x", c, std::nullopt).status().code(), Code::kInvalidArgument);
  c.thumbprint = "../../etc/passwd";
  EXPECT_EQ(backups.Save("MailServer21", c, std::nullopt).status().message(),
            "backup on MailServer21: '../../etc/passwd' is not a certificate thumbprint");
}

TEST(BackupDirTest, AServerFolderThatIsALinkIsRefusedAndNothingWrittenThroughIt) {
  TempDir dir;
  fs::create_directories(dir.path() / "backups");
  fs::create_directories(dir.path() / "elsewhere");
  fs::create_directory_symlink(dir.path() / "elsewhere", dir.path() / "backups/MailServer21");
  BackupDir backups(dir.path() / "backups");
  const testing::Issued c = testing::IssueWithKey();
  Result<std::string> path = backups.Save("MailServer21", Info(c), testing::Pkcs12Of(c, "pw"));
  ASSERT_FALSE(path.ok());
  EXPECT_NE(path.status().message().find("backups/MailServer21: a symbolic link"),
            std::string::npos)
      << path.status().message();
  EXPECT_TRUE(fs::is_empty(dir.path() / "elsewhere"));
}

}  // namespace
}  // namespace xcert::store
