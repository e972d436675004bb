#include "resources/exchange/process.h"

#include <signal.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace xcert::exchange {
namespace {

namespace fs = std::filesystem;

using xcert::testing::ReadFileOrDie;
using xcert::testing::TempDir;

ProcessOptions Timeout(int seconds) {
  ProcessOptions o;
  o.timeout = Seconds(seconds);
  return o;
}

TEST(RunProcessTest, FeedsStdinAndCapturesBothStreams) {
  Result<ProcessResult> r =
      RunProcess({"/bin/sh", "-c", "cat; echo oops >&2; exit 4"}, "hello\nworld\n", Timeout(30));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->out, "hello\nworld\n");
  EXPECT_EQ(r->err, "oops\n");
  EXPECT_EQ(r->exit_code, 4);
  EXPECT_EQ(r->signal, 0);
  EXPECT_FALSE(r->timed_out);
}

TEST(RunProcessTest, MovesMegabytesBothWaysWithoutDeadlock) {
  std::string input(3 << 20, 'x');
  for (size_t i = 0; i < input.size(); i += 97) input[i] = '\n';
  Result<ProcessResult> r = RunProcess({"/bin/cat"}, input, Timeout(60));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->out.size(), input.size());
  EXPECT_EQ(r->out, input);
  EXPECT_EQ(r->exit_code, 0);
}

TEST(RunProcessTest, AChildThatIgnoresStdinDoesNotHurtXcert) {
  const std::string input(4 << 20, 'y');
  Result<ProcessResult> r = RunProcess({"/bin/sh", "-c", "echo done; exit 0"}, input, Timeout(30));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->out, "done\n");
  EXPECT_EQ(r->exit_code, 0);
}

TEST(RunProcessTest, ATimeoutKillsTheWholeProcessGroup) {
  TempDir dir;
  const std::string pid_file = (dir.path() / "grandchild.pid").string();
  const auto start = std::chrono::steady_clock::now();
  Result<ProcessResult> r =
      RunProcess({"/bin/sh", "-c", "sleep 60 & echo $! > " + pid_file + "; echo started; wait"}, "",
                 Timeout(1));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->out, "started\n");
  EXPECT_EQ(r->signal, SIGTERM);
  EXPECT_LT(seconds, 8.0);
  const pid_t grandchild = std::stoi(ReadFileOrDie(pid_file));
  // The grandchild got the group's SIGTERM too. It is gone, or a zombie
  // waiting for a reaper (containers may lack one).
  auto ended = [grandchild] {
    if (::kill(grandchild, 0) != 0) return true;
    const std::string stat = ReadFileOrDie("/proc/" + std::to_string(grandchild) + "/stat");
    const size_t paren = stat.rfind(')');
    return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
  };
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = ended();
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(gone) << "the sleep started by the transport is still running";
}

TEST(RunProcessTest, AProgramThatIgnoresSigtermIsKilled) {
  Result<ProcessResult> r =
      RunProcess({"/bin/sh", "-c", "trap '' TERM; echo ready; sleep 30"}, "", Timeout(1));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->signal, SIGKILL);
}

TEST(RunProcessTest, OutputBeyondTheLimitIsCutAndFlagged) {
  ProcessOptions o = Timeout(30);
  o.max_output = 1000;
  Result<ProcessResult> r = RunProcess({"/bin/sh", "-c", "head -c 5000 /dev/zero"}, "", o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->out.size(), 1000u);
  EXPECT_TRUE(r->output_limited);
  EXPECT_EQ(r->exit_code, 0);
}

TEST(RunProcessTest, AMissingProgramIsUnavailable) {
  Result<ProcessResult> r = RunProcess({"xcert-no-such-transport", "-x"}, "", Timeout(5));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_EQ(r.status().message(),
            "cannot start 'xcert-no-such-transport': No such file or directory");
  EXPECT_EQ(RunProcess({}, "", Timeout(5)).status().message(), "the transport command is empty");
}

TEST(RunProcessTest, RunsInParallelWithoutSharingPipes) {
  std::vector<std::thread> threads;
  std::vector<std::string> outs(6);
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([i, &outs] {
      Result<ProcessResult> r = RunProcess({"/bin/sh", "-c", "cat; sleep 0.$((RANDOM % 3))"},
                                           "thread " + std::to_string(i), Timeout(30));
      if (r.ok()) outs[size_t(i)] = r->out;
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < 6; ++i) EXPECT_EQ(outs[size_t(i)], "thread " + std::to_string(i));
}

}  // namespace
}  // namespace xcert::exchange
