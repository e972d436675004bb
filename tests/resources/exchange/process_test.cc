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

// A shell that answers each request (lines up to "END") with its pid and how
// many lines the request had, then the marker line "END" (with a CR when
// CRLF=1, as Windows PowerShell writes it).
const std::vector<std::string> kCounter = {
    "/bin/sh", "-c",
    "n=0; while IFS= read -r l; do if [ \"$l\" = END ]; then echo \"pid $$ lines $n\"; "
    "if [ \"$CRLF\" = 1 ]; then printf 'END\\r\\n'; else echo END; fi; n=0; "
    "else n=$((n+1)); fi; done"};

std::unique_ptr<ProcessSession> StartOrDie(const std::vector<std::string>& argv) {
  Result<std::unique_ptr<ProcessSession>> s = ProcessSession::Start(argv);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? std::move(*s) : nullptr;
}

TEST(ProcessSessionTest, OneProcessAnswersRequestAfterRequest) {
  std::unique_ptr<ProcessSession> s = StartOrDie(kCounter);
  ASSERT_NE(s, nullptr);
  const ProcessResult first = s->Request("a\nb\nEND\n", "END", Timeout(30));
  EXPECT_EQ(first.exit_code, 0);
  EXPECT_FALSE(first.timed_out);
  ASSERT_TRUE(first.out.starts_with("pid ")) << first.out;
  EXPECT_TRUE(first.out.ends_with(" lines 2\n")) << first.out;
  const std::string pid = first.out.substr(0, first.out.find(" lines"));
  const ProcessResult second = s->Request("c\nEND\n", "END", Timeout(30));
  EXPECT_EQ(second.out, pid + " lines 1\n") << "the same process answered, with nothing left over";
  EXPECT_TRUE(s->usable());
}

TEST(ProcessSessionTest, AMarkerLineEndingInCrlfCounts) {
  ::setenv("CRLF", "1", 1);
  std::unique_ptr<ProcessSession> s = StartOrDie(kCounter);
  ::unsetenv("CRLF");
  ASSERT_NE(s, nullptr);
  const ProcessResult r = s->Request("x\nEND\n", "END", Timeout(30));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.out.ends_with(" lines 1\n")) << r.out;
  EXPECT_TRUE(s->usable());
}

TEST(ProcessSessionTest, AMarkerInsideALineIsNotTheEnd) {
  std::unique_ptr<ProcessSession> s =
      StartOrDie({"/bin/sh", "-c", "read l; echo 'say END now'; echo ' END'; echo END; sleep 30"});
  ASSERT_NE(s, nullptr);
  const ProcessResult r = s->Request("go\n", "END", Timeout(30));
  EXPECT_EQ(r.out, "say END now\n END\n");
  EXPECT_EQ(r.exit_code, 0);
}

TEST(ProcessSessionTest, AProcessThatEndsMidRequestSaysHowAndIsNotReused) {
  std::unique_ptr<ProcessSession> s =
      StartOrDie({"/bin/sh", "-c", "read l; echo partial; echo refused >&2; exit 5"});
  ASSERT_NE(s, nullptr);
  const ProcessResult r = s->Request("go\n", "END", Timeout(30));
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_EQ(r.out, "partial\n");
  EXPECT_EQ(r.err, "refused\n");
  EXPECT_FALSE(r.timed_out);
  EXPECT_FALSE(s->usable());
}

TEST(ProcessSessionTest, ATimeoutStopsTheProcessGroup) {
  std::unique_ptr<ProcessSession> s = StartOrDie({"/bin/sh", "-c", "read l; echo busy; sleep 60"});
  ASSERT_NE(s, nullptr);
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult r = s->Request("go\n", "END", Timeout(1));
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 8.0);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.out, "busy\n");
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_FALSE(s->usable());
}

TEST(ProcessSessionTest, TooMuchOutputStopsTheSession) {
  std::unique_ptr<ProcessSession> s =
      StartOrDie({"/bin/sh", "-c", "read l; head -c 5000 /dev/zero; sleep 60"});
  ASSERT_NE(s, nullptr);
  ProcessOptions o = Timeout(30);
  o.max_output = 1000;
  const ProcessResult r = s->Request("go\n", "END", o);
  EXPECT_TRUE(r.output_limited);
  EXPECT_FALSE(r.timed_out);
  EXPECT_FALSE(s->usable());
}

TEST(ProcessSessionTest, ClosingLetsTheProcessEndAndStopsOneThatDoesNot) {
  TempDir dir;
  const std::string done = (dir.path() / "done").string();
  {
    std::unique_ptr<ProcessSession> s =
        StartOrDie({"/bin/sh", "-c", "cat >/dev/null; touch " + done});
    ASSERT_NE(s, nullptr);
  }
  EXPECT_TRUE(fs::exists(done)) << "the process saw the end of its input and finished by itself";

  const auto start = std::chrono::steady_clock::now();
  {
    std::unique_ptr<ProcessSession> s =
        StartOrDie({"/bin/sh", "-c", "trap '' TERM; exec 0</dev/null; sleep 60"});
    ASSERT_NE(s, nullptr);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 10.0) << "grace, SIGTERM ignored, then SIGKILL";
  EXPECT_GE(seconds, 3.0) << "the process had its grace period";
}

TEST(ProcessSessionTest, AMissingProgramIsUnavailable) {
  Result<std::unique_ptr<ProcessSession>> s = ProcessSession::Start({"xcert-no-such-transport"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kUnavailable);
  EXPECT_EQ(s.status().message(),
            "cannot start 'xcert-no-such-transport': No such file or directory");
}

}  // namespace
}  // namespace xcert::exchange
