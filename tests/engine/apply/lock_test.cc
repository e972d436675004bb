// The store's writer lock (engine/apply/lock.h): one writer at a time; a
// second one is refused at once with an error that names the holder (pid,
// host, since when); the kernel releases the lock of a process that dies, so
// a killed apply never blocks the next one.
#include "engine/apply/lock.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/model_fixtures.h"
#include "tests/support/test_util.h"

namespace xcert {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using xcert::testing::ReadFileOrDie;
using xcert::testing::RunResult;
using xcert::testing::TempDir;

std::string HostName() {
  char buf[256] = {};
  EXPECT_EQ(::gethostname(buf, sizeof buf - 1), 0);
  return buf;
}

TimePoint Since() { return testing::Day(2026, 11, 25) + std::chrono::hours(10); }

// Whether some other open file description could take the lock right now
// (what a second process would see).
bool FreeForOthers(const fs::path& lock_file) {
  const int fd = ::open(lock_file.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return true;  // no lock file: nothing holds it
  const bool free = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
  ::close(fd);
  return free;
}

// A child process that takes the lock and keeps it until it is killed.
class Holder {
 public:
  explicit Holder(const fs::path& dir) {
    int ready[2], hold[2];
    EXPECT_EQ(::pipe(ready), 0);
    EXPECT_EQ(::pipe(hold), 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(ready[0]);
      ::close(hold[1]);
      Result<StoreLock> lock = StoreLock::Acquire(dir, Since());
      const char ok = lock.ok() ? 'Y' : 'N';
      if (::write(ready[1], &ok, 1) != 1) ::_exit(2);
      char c;
      while (::read(hold[0], &c, 1) > 0) {
      }  // until the parent closes the pipe or kills us
      ::_exit(0);
    }
    ::close(ready[1]);
    ::close(hold[0]);
    hold_ = hold[1];
    char ok = 0;
    EXPECT_EQ(::read(ready[0], &ok, 1), 1);
    ::close(ready[0]);
    acquired_ = ok == 'Y';
  }
  ~Holder() {
    if (pid_ > 0) Kill();
  }
  bool acquired() const { return acquired_; }
  pid_t pid() const { return pid_; }
  void Kill() {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    ::close(hold_);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  int hold_ = -1;
  bool acquired_ = false;
};

TEST(StoreLockTest, RecordsTheHolderInTheLockFile) {
  TempDir dir;
  Result<StoreLock> lock = StoreLock::Acquire(dir.path(), Since());
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  EXPECT_EQ(lock->path(), dir.path() / "xcert.lock");
  const std::string text = ReadFileOrDie(dir.path() / "xcert.lock");
  EXPECT_THAT(text, HasSubstr("\"pid\":" + std::to_string(::getpid())));
  EXPECT_THAT(text, HasSubstr("\"host\":\"" + HostName() + "\""));
  EXPECT_THAT(text, HasSubstr("\"since\":\"2026-11-25T10:00:00Z\""));
  EXPECT_FALSE(FreeForOthers(dir.path() / "xcert.lock"));
}

TEST(StoreLockTest, SecondWriterIsRefusedAtOnceNamingTheHolder) {
  TempDir dir;
  Holder holder(dir.path());
  ASSERT_TRUE(holder.acquired());

  Result<StoreLock> second = StoreLock::Acquire(dir.path(), Since() + std::chrono::minutes(5));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kUnavailable);
  EXPECT_EQ(second.status().message(),
            "the store is locked by pid " + std::to_string(holder.pid()) + " on " + HostName() +
                " since 2026-11-25T10:00:00Z (" + (dir.path() / "xcert.lock").string() +
                "); wait for that apply to finish and run again");
  // The refused writer did not disturb the holder's record or its lock.
  EXPECT_THAT(ReadFileOrDie(dir.path() / "xcert.lock"),
              HasSubstr("\"pid\":" + std::to_string(holder.pid())));
  EXPECT_FALSE(FreeForOthers(dir.path() / "xcert.lock"));
}

TEST(StoreLockTest, SecondWriterInTheSameProcessIsRefusedToo) {
  TempDir dir;
  Result<StoreLock> first = StoreLock::Acquire(dir.path(), Since());
  ASSERT_TRUE(first.ok());
  Result<StoreLock> second = StoreLock::Acquire(dir.path(), Since());
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(),
              HasSubstr("locked by pid " + std::to_string(::getpid()) + " on " + HostName()));
}

TEST(StoreLockTest, LockOfAKilledHolderIsReleasedByTheKernel) {
  TempDir dir;
  Holder holder(dir.path());
  ASSERT_TRUE(holder.acquired());
  const pid_t dead = holder.pid();
  holder.Kill();  // SIGKILL: no destructor ran, its record is still in the file
  EXPECT_THAT(ReadFileOrDie(dir.path() / "xcert.lock"),
              HasSubstr("\"pid\":" + std::to_string(dead)));

  // The record of the dead process is not a lock: the next writer proceeds
  // and replaces the record with its own.
  Result<StoreLock> next = StoreLock::Acquire(dir.path(), Since() + std::chrono::hours(1));
  ASSERT_TRUE(next.ok()) << next.status().message();
  const std::string text = ReadFileOrDie(dir.path() / "xcert.lock");
  EXPECT_THAT(text, HasSubstr("\"pid\":" + std::to_string(::getpid())));
  EXPECT_THAT(text, HasSubstr("\"since\":\"2026-11-25T11:00:00Z\""));
  EXPECT_THAT(text, Not(HasSubstr(std::to_string(dead) + ",")));
}

TEST(StoreLockTest, ReleasedWhenTheLockIsDestroyed) {
  TempDir dir;
  {
    Result<StoreLock> lock = StoreLock::Acquire(dir.path(), Since());
    ASSERT_TRUE(lock.ok());
    EXPECT_FALSE(FreeForOthers(dir.path() / "xcert.lock"));
  }
  EXPECT_TRUE(FreeForOthers(dir.path() / "xcert.lock"));
  // An unlocked lock file names nobody, so nobody mistakes it for a holder.
  EXPECT_EQ(ReadFileOrDie(dir.path() / "xcert.lock"), "");
  Result<StoreLock> again = StoreLock::Acquire(dir.path(), Since());
  EXPECT_TRUE(again.ok()) << again.status().message();
}

TEST(StoreLockTest, MovingTheLockKeepsItHeldUntilTheLastOwnerGoes) {
  TempDir dir;
  Result<StoreLock> lock = StoreLock::Acquire(dir.path(), Since());
  ASSERT_TRUE(lock.ok());
  {
    StoreLock moved = std::move(lock).value();
    EXPECT_EQ(moved.path(), dir.path() / "xcert.lock");
    EXPECT_FALSE(FreeForOthers(dir.path() / "xcert.lock"));
    StoreLock assigned = std::move(moved);
    EXPECT_FALSE(FreeForOthers(dir.path() / "xcert.lock"));
  }
  EXPECT_TRUE(FreeForOthers(dir.path() / "xcert.lock"));
}

TEST(StoreLockTest, HolderBeingStartedIsNamedAsAnotherProcess) {
  TempDir dir;
  // Another process has the lock but has not written its record yet.
  const fs::path path = dir.path() / "xcert.lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  Result<StoreLock> second = StoreLock::Acquire(dir.path(), Since());
  ::close(fd);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kUnavailable);
  EXPECT_THAT(second.status().message(), HasSubstr("the store is locked by another process"));
}

TEST(StoreLockTest, ChildProgramsDoNotInheritTheLock) {
  // Apply runs transports (ssh) as child processes; one left running after
  // apply died must not keep the store locked.
  TempDir dir;
  Result<StoreLock> lock = StoreLock::Acquire(dir.path(), Since());
  ASSERT_TRUE(lock.ok());
  const RunResult r = testing::Run({"/bin/sh", "-c", "ls -l /proc/$$/fd"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("xcert.lock")));
}

TEST(StoreLockTest, MissingStoreFolderIsAnErrorNamingTheLockFile) {
  TempDir dir;
  Result<StoreLock> lock = StoreLock::Acquire(dir.path() / "no-such-store", Since());
  ASSERT_FALSE(lock.ok());
  EXPECT_EQ(lock.status().code(), Code::kNotFound);
  EXPECT_THAT(lock.status().message(),
              HasSubstr("opening the lock " + (dir.path() / "no-such-store/xcert.lock").string()));
}

TEST(StoreLockTest, ALockThatIsALinkIsRefusedAndItsTargetNeverWritten) {
  TempDir dir;
  const fs::path victim = dir.Write("victim", "precious\n");
  fs::create_directory(dir.path() / "store");
  fs::create_symlink(victim, dir.path() / "store/xcert.lock");
  Result<StoreLock> lock = StoreLock::Acquire(dir.path() / "store", Since());
  ASSERT_FALSE(lock.ok());
  EXPECT_THAT(lock.status().message(),
              HasSubstr("xcert.lock: a symbolic link, which xcert does not follow"));
  EXPECT_EQ(ReadFileOrDie(victim), "precious\n");
}

TEST(StoreLockTest, ALockThatIsAHardLinkToAnotherFileIsRefused) {
  TempDir dir;
  const fs::path victim = dir.Write("victim", "precious\n");
  fs::create_directory(dir.path() / "store");
  fs::create_hard_link(victim, dir.path() / "store/xcert.lock");
  Result<StoreLock> lock = StoreLock::Acquire(dir.path() / "store", Since());
  ASSERT_FALSE(lock.ok());
  EXPECT_THAT(lock.status().message(), HasSubstr("is not a plain file of its own"));
  EXPECT_EQ(ReadFileOrDie(victim), "precious\n");
}

}  // namespace
}  // namespace xcert
