#include "engine/util/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace xcert {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using xcert::testing::ReadFileOrDie;
using xcert::testing::TempDir;

// The names in `dir`, sorted: what a user would see with ls.
std::vector<std::string> Entries(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

mode_t ModeOf(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

// Sets the umask for one test and restores it.
class Umask {
 public:
  explicit Umask(mode_t m) : old_(::umask(m)) {}
  ~Umask() { ::umask(old_); }

 private:
  mode_t old_;
};

TEST(WriteFileAtomicTest, WritesExactBytesAndLeavesNoTempFile) {
  TempDir dir;
  const std::string data("binary\0data\nwith\r\nbytes", 23);
  ASSERT_TRUE(WriteFileAtomic(dir.path() / "plan.json", data).ok());
  EXPECT_EQ(ReadFileOrDie(dir.path() / "plan.json"), data);
  EXPECT_THAT(Entries(dir.path()), ElementsAre("plan.json"));
}

TEST(WriteFileAtomicTest, ReplacesExistingContentWhole) {
  TempDir dir;
  const fs::path p = dir.Write("state.json", std::string(10000, 'x'));
  ASSERT_TRUE(WriteFileAtomic(p, "short").ok());
  EXPECT_EQ(ReadFileOrDie(p), "short") << "no tail of the old, longer content";
  ASSERT_TRUE(WriteFileAtomic(p, "").ok());
  EXPECT_EQ(ReadFileOrDie(p), "");
  EXPECT_THAT(Entries(dir.path()), ElementsAre("state.json"));
}

TEST(WriteFileAtomicTest, KeyFilesAreExactly0600WhateverTheUmask) {
  TempDir dir;
  {
    Umask open(0);  // a umask that would leave 0666 alone
    ASSERT_TRUE(WriteFileAtomic(dir.path() / "key.pem", "KEY", 0600).ok());
  }
  EXPECT_EQ(ModeOf(dir.path() / "key.pem"), 0600u);
  // Replacing a public file with a key narrows the mode too.
  dir.Write("other.pem", "public");
  fs::permissions(dir.path() / "other.pem", fs::perms(0644));
  ASSERT_TRUE(WriteFileAtomic(dir.path() / "other.pem", "KEY", 0600).ok());
  EXPECT_EQ(ModeOf(dir.path() / "other.pem"), 0600u);
}

TEST(WriteFileAtomicTest, PublicFilesAreReadableEvenUnderAStrictUmask) {
  TempDir dir;
  Umask strict(0077);
  ASSERT_TRUE(WriteFileAtomic(dir.path() / "cert.pem", "CERT").ok());
  EXPECT_EQ(ModeOf(dir.path() / "cert.pem"), 0644u);
}

TEST(WriteFileAtomicTest, DeferredDirSyncStillWritesTheFile) {
  TempDir dir;
  ASSERT_TRUE(WriteFileAtomic(dir.path() / "a", "1", 0644, DirSync::kDeferred).ok());
  ASSERT_TRUE(WriteFileAtomic(dir.path() / "b", "2", 0644, DirSync::kDeferred).ok());
  ASSERT_TRUE(SyncDir(dir.path()).ok());
  EXPECT_EQ(ReadFileOrDie(dir.path() / "a"), "1");
  EXPECT_EQ(ReadFileOrDie(dir.path() / "b"), "2");
}

TEST(WriteFileAtomicTest, RelativePathInTheCurrentDirectory) {
  TempDir dir;
  const fs::path old = fs::current_path();
  fs::current_path(dir.path());
  const Status s = WriteFileAtomic("plan.json", "{}");
  fs::current_path(old);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(ReadFileOrDie(dir.path() / "plan.json"), "{}");
}

TEST(WriteFileAtomicTest, MissingParentFailsNamingTheTargetAndCreatesNothing) {
  TempDir dir;
  const fs::path target = dir.path() / "no-such-dir" / "plan.json";
  const Status s = WriteFileAtomic(target, "{}");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kNotFound);
  // The user asked for plan.json: the message names it, not a random temp name.
  EXPECT_THAT(s.message(), HasSubstr(target.string() + ": No such file or directory"));
  EXPECT_THAT(s.message(), Not(HasSubstr(".tmp.")));
  EXPECT_TRUE(Entries(dir.path()).empty());
}

TEST(WriteFileAtomicTest, FailedRenameKeepsTheOldContentAndRemovesTheTempFile) {
  TempDir dir;
  // A non-empty directory where the file should go: the rename must fail.
  dir.Write("target/inside", "old");
  const fs::path target = dir.path() / "target";
  const Status s = WriteFileAtomic(target, "new");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr(target.string()));
  EXPECT_THAT(s.message(), Not(HasSubstr(".tmp.")));
  EXPECT_THAT(Entries(dir.path()), ElementsAre("target")) << "no temp file left behind";
  EXPECT_EQ(ReadFileOrDie(target / "inside"), "old");
}

TEST(SyncDirTest, MissingDirectoryIsNamed) {
  TempDir dir;
  const Status s = SyncDir(dir.path() / "gone");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr((dir.path() / "gone").string()));
}

TEST(CreateDirsDurableTest, CreatesMissingParentsAndIsIdempotent) {
  TempDir dir;
  const fs::path deep = dir.path() / "a" / "b" / "c";
  ASSERT_TRUE(CreateDirsDurable(deep).ok());
  EXPECT_TRUE(fs::is_directory(deep));
  EXPECT_TRUE(fs::is_directory(dir.path() / "a" / "b"));
  EXPECT_TRUE(CreateDirsDurable(deep).ok()) << "an existing directory is fine";
  EXPECT_TRUE(CreateDirsDurable("").ok());
}

TEST(CreateDirsDurableTest, AFileInTheWayIsAnErrorNamingIt) {
  TempDir dir;
  dir.Write("store", "not a directory");
  const Status s = CreateDirsDurable(dir.path() / "store" / "MailServer21");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr((dir.path() / "store").string()));
}

TEST(ReadFileTest, ReadsEverythingIncludingNulBytes) {
  TempDir dir;
  std::string big(100000, 'a');
  big[50000] = '\0';
  const fs::path p = dir.Write("big", big);
  Result<std::string> r = ReadFile(p);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, big);
}

TEST(ReadFileTest, MissingFileIsNotFoundAndNamed) {
  TempDir dir;
  Result<std::string> r = ReadFile(dir.path() / "xcert.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(r.status().message(),
            "reading " + (dir.path() / "xcert.yaml").string() + ": No such file or directory");
}

TEST(AppendFileTest, AppendsWholeLinesAcrossReopens) {
  TempDir dir;
  const fs::path p = dir.path() / "run.jsonl";
  {
    Result<AppendFile> f = AppendFile::Open(p, 0600);
    ASSERT_TRUE(f.ok()) << f.status().message();
    EXPECT_EQ(f->path(), p);
    ASSERT_TRUE(f->AppendLine("{\"event\":\"begin\"}").ok());
    AppendFile moved = std::move(*f);
    ASSERT_TRUE(moved.AppendLine("{\"event\":\"step\"}").ok());
  }
  EXPECT_EQ(ModeOf(p), 0600u);
  {
    Result<AppendFile> f = AppendFile::Open(p);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE(f->AppendLine("{\"event\":\"end\"}").ok());
  }
  EXPECT_EQ(ReadFileOrDie(p), "{\"event\":\"begin\"}\n{\"event\":\"step\"}\n{\"event\":\"end\"}\n");
}

TEST(AppendFileTest, MissingDirectoryIsAnErrorNamingThePath) {
  TempDir dir;
  const fs::path p = dir.path() / "journal" / "run.jsonl";
  Result<AppendFile> f = AppendFile::Open(p);
  ASSERT_FALSE(f.ok());
  EXPECT_THAT(f.status().message(), HasSubstr(p.string()));
}

TEST(ReadFileTest, ALinkIsFollowedOnlyWhenAsked) {
  TempDir dir;
  const fs::path target = dir.Write("target", "secret");
  fs::create_symlink(target, dir.path() / "link");
  EXPECT_EQ(*ReadFile(dir.path() / "link"), "secret") << "a file the user names may be a link";
  const Result<std::string> refused = ReadFile(dir.path() / "link", Links::kRefuse);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kDataLoss);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("reading " + (dir.path() / "link").string() +
                        ": a symbolic link, which xcert does not follow"));
  EXPECT_EQ(*ReadFile(target, Links::kRefuse), "secret");
}

TEST(AppendFileTest, ALinkIsRefusedAndItsTargetKept) {
  TempDir dir;
  const fs::path target = dir.Write("target", "kept\n");
  fs::create_symlink(target, dir.path() / "link");
  Result<AppendFile> f = AppendFile::Open(dir.path() / "link", 0644, Links::kRefuse);
  ASSERT_FALSE(f.ok());
  EXPECT_THAT(f.status().message(), HasSubstr("a symbolic link"));
  EXPECT_EQ(ReadFileOrDie(target), "kept\n");
}

TEST(OpenDirNoFollowTest, OpensAFolderAndRefusesALinkToOne) {
  TempDir dir;
  fs::create_directory(dir.path() / "real");
  fs::create_directory_symlink(dir.path() / "real", dir.path() / "link");
  dir.Write("file", "x");
  const int fd = OpenDirNoFollow(AT_FDCWD, (dir.path() / "real").c_str());
  EXPECT_GE(fd, 0);
  if (fd >= 0) ::close(fd);
  EXPECT_EQ(OpenDirNoFollow(AT_FDCWD, (dir.path() / "link").c_str()), -1);
  EXPECT_EQ(errno, ELOOP);
  EXPECT_EQ(OpenDirNoFollow(AT_FDCWD, (dir.path() / "file").c_str()), -1);
  EXPECT_EQ(errno, ENOTDIR);
  EXPECT_EQ(OpenDirNoFollow(AT_FDCWD, (dir.path() / "none").c_str()), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST(RefuseLinksBelowTest, NamesTheFirstLinkBelowTheRootOnly) {
  TempDir dir;
  fs::create_directories(dir.path() / "elsewhere/b");
  fs::create_directories(dir.path() / "root");
  fs::create_directory_symlink(dir.path() / "elsewhere", dir.path() / "root/a");
  EXPECT_TRUE(RefuseLinksBelow(dir.path() / "root", dir.path() / "root/x/y").ok())
      << "missing entries follow no link";
  const Status s = RefuseLinksBelow(dir.path() / "root", dir.path() / "root/a/b");
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr((dir.path() / "root/a").string() + ": a symbolic link"));
  // The root itself may be a link: the user named it.
  fs::create_directory_symlink(dir.path() / "elsewhere", dir.path() / "root-link");
  EXPECT_TRUE(RefuseLinksBelow(dir.path() / "root-link", dir.path() / "root-link/b").ok());
}

TEST(IsSameOrInsideTest, ComparesWholeComponents) {
  EXPECT_TRUE(IsSameOrInside("store", "store"));
  EXPECT_TRUE(IsSameOrInside("store", "store/backups"));
  EXPECT_TRUE(IsSameOrInside("/srv/store/", "/srv/store/x/../backups"));
  EXPECT_TRUE(IsSameOrInside("/", "/srv"));
  EXPECT_TRUE(IsSameOrInside(".", "store"));
  EXPECT_FALSE(IsSameOrInside("store", "store-backups")) << "a shared prefix is not a folder";
  EXPECT_FALSE(IsSameOrInside("store/backups", "store"));
  EXPECT_FALSE(IsSameOrInside("/srv/store", "/srv/store/../backups"));
  EXPECT_FALSE(IsSameOrInside(".", "../elsewhere"));
}

}  // namespace
}  // namespace xcert
