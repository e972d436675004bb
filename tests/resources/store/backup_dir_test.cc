#include "resources/store/backup_dir.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

TEST(BackupDirTest, SavesPkcs12As0600AndKeepsAnExistingBackup) {
  TempDir dir;
  BackupDir backups(dir.path() / "backups");
  const testing::Issued c = testing::IssueWithKey();
  EXPECT_FALSE(backups.Existing("MailServer21", c.thumbprint).has_value());
  Result<std::string> path = backups.Save("MailServer21", Info(c), testing::Pkcs12Of(c, "pw"));
  ASSERT_TRUE(path.ok()) << path.status().message();
  EXPECT_EQ(*path, (dir.path() / "backups" / "MailServer21" / (c.thumbprint + ".pfx")).string());
  EXPECT_EQ(Mode(*path), 0600u);
  Result<x509::Pkcs12Contents> back = x509::ReadPkcs12(xcert::testing::ReadFileOrDie(*path), "pw");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->certificate_der, c.der);
  EXPECT_EQ(backups.Existing("MailServer21", c.thumbprint), *path);

  // A second save keeps the first file.
  Result<std::string> again = backups.Save("MailServer21", Info(c), std::string("other"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *path);
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
  EXPECT_EQ(backups.Existing("MailServer21", lower), *path) << "thumbprints are case-insensitive";
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
