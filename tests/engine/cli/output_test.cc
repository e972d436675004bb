#include "engine/cli/output.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace xcert::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using xcert::testing::CapturedFile;

// A pseudo-terminal: what `xcert` writes to when run interactively.
class Terminal {
 public:
  Terminal() {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0) return;
    const int slave = ::open(::ptsname(master_), O_RDWR | O_NOCTTY);
    if (slave >= 0) slave_ = ::fdopen(slave, "w");
  }
  ~Terminal() {
    if (slave_) std::fclose(slave_);
    if (master_ >= 0) ::close(master_);
  }
  bool ok() const { return slave_ != nullptr; }
  std::FILE* get() const { return slave_; }
  // What the terminal shows so far.
  std::string Text() const {
    std::fflush(slave_);
    std::string out;
    pollfd p{master_, POLLIN, 0};
    while (::poll(&p, 1, 100) > 0 && (p.revents & POLLIN)) {
      char buf[4096];
      const ssize_t n = ::read(master_, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, size_t(n));
    }
    return out;
  }

 private:
  int master_ = -1;
  std::FILE* slave_ = nullptr;
};

// Sets or clears an environment variable for one test.
class Env {
 public:
  Env(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~Env() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class OutputTest : public ::testing::Test {
 protected:
  Env no_color_{"NO_COLOR", nullptr};
  Env term_{"TERM", "xterm-256color"};
};

constexpr const char* kRedError = "\033[1;31merror:\033[0m";

TEST_F(OutputTest, ResultsGoToStdoutAndEverythingElseToStderr) {
  CapturedFile out, err;
  Output o(out.get(), err.get());
  o.Print("Plan: 0 to create\n");
  o.Report(Diagnostic{Severity::kError, {"xcert.yaml", 3, 5}, "unknown issuer 'x'", "add it"});
  o.Report(Diagnostic{Severity::kWarning, {"xcert.yaml", 9, 1}, "self-signed", ""});
  o.Error("the store could not be read");
  o.Warning("XCERT_NOW is not a time");
  o.Progress("[1/3] done         create MailServer21 mail (0.13s)");
  EXPECT_EQ(out.Text(), "Plan: 0 to create\n");
  EXPECT_EQ(err.Text(),
            "xcert.yaml:3:5: error: unknown issuer 'x'; add it\n"
            "xcert.yaml:9:1: warning: self-signed\n"
            "error: the store could not be read\n"
            "warning: XCERT_NOW is not a time\n"
            "[1/3] done         create MailServer21 mail (0.13s)\n");
}

// An error that names its place prints as a Diagnostic does, whether the
// message carried "error:" already or not; others keep "error:" in front.
TEST_F(OutputTest, ErrorsWithALocationPrintInTheDiagnosticFormat) {
  CapturedFile out, err;
  Output o(out.get(), err.get());
  o.Error("xcert.yaml:32:5: the backup folder is inside the store");
  o.Error("xcert.yaml:32:5: error: a local store needs store.path");
  o.Error("/srv/x cert/m.yaml:7: no column here");
  o.Warning("m.yaml:2:1: warning: self-signed");
  o.Error("XCERT_NOW: not a time: 10:30");
  o.Error("server 'EX1': 3 steps failed");
  o.Error("2026-12-07T10:00:00Z: clock");
  o.Error(":12: starts with a colon");
  EXPECT_EQ(err.Text(),
            "xcert.yaml:32:5: error: the backup folder is inside the store\n"
            "xcert.yaml:32:5: error: a local store needs store.path\n"
            "/srv/x cert/m.yaml:7: error: no column here\n"
            "m.yaml:2:1: warning: self-signed\n"
            "error: XCERT_NOW: not a time: 10:30\n"
            "error: server 'EX1': 3 steps failed\n"
            "error: 2026-12-07T10:00:00Z: clock\n"
            "error: :12: starts with a colon\n");
}

TEST_F(OutputTest, ALocatedErrorIsColouredAfterItsLocation) {
  Terminal out, err;
  ASSERT_TRUE(out.ok() && err.ok()) << "no pseudo-terminal available";
  Output o(out.get(), err.get());
  o.Error("m.yaml:4:2: bad");
  EXPECT_THAT(err.Text(), HasSubstr(std::string("m.yaml:4:2: ") + kRedError + " bad"));
}

TEST_F(OutputTest, NoColourWhenNothingIsATerminal) {
  CapturedFile out, err;
  Output o(out.get(), err.get());
  EXPECT_FALSE(o.color());
  o.Error("x");
  EXPECT_THAT(err.Text(), Not(HasSubstr("\033[")));
}

TEST_F(OutputTest, ColourOnATerminal) {
  Terminal out, err;
  ASSERT_TRUE(out.ok() && err.ok()) << "no pseudo-terminal available";
  Output o(out.get(), err.get());
  EXPECT_TRUE(o.color());
  o.Error("the store could not be read");
  o.Report(Diagnostic{Severity::kWarning, {"m.yaml", 1, 1}, "w", ""});
  const std::string shown = err.Text();
  EXPECT_THAT(shown, HasSubstr(std::string(kRedError) + " the store could not be read"));
  EXPECT_THAT(shown, HasSubstr("m.yaml:1:1: \033[1;35mwarning:\033[0m w"));
}

// `xcert plan > plan.txt` on a terminal: the file gets no escape codes,
// while the errors on the terminal are still coloured.
TEST_F(OutputTest, RedirectedStdoutIsNeverColouredEvenIfStderrIsATerminal) {
  CapturedFile out;
  Terminal err;
  ASSERT_TRUE(err.ok());
  Output o(out.get(), err.get());
  EXPECT_FALSE(o.color()) << "results go to a file";
  o.Error("boom");
  EXPECT_THAT(err.Text(), HasSubstr(kRedError));
}

TEST_F(OutputTest, RedirectedStderrGetsNoEscapeCodes) {
  Terminal out;
  CapturedFile err;
  ASSERT_TRUE(out.ok());
  Output o(out.get(), err.get());
  EXPECT_TRUE(o.color()) << "results go to the terminal";
  o.Error("boom");
  o.Report(Diagnostic{Severity::kError, {"m.yaml", 2, 3}, "bad", ""});
  EXPECT_EQ(err.Text(), "error: boom\nm.yaml:2:3: error: bad\n");
}

TEST_F(OutputTest, NoColorTurnsColourOffEverywhere) {
  Env no_color("NO_COLOR", "1");
  Terminal out, err;
  ASSERT_TRUE(out.ok() && err.ok());
  Output o(out.get(), err.get());
  EXPECT_FALSE(o.color());
  o.Error("boom");
  EXPECT_THAT(err.Text(), Not(HasSubstr("\033[")));
}

TEST_F(OutputTest, EmptyNoColorDoesNotCount) {
  // https://no-color.org: "when present and not an empty string".
  Env no_color("NO_COLOR", "");
  Terminal out, err;
  ASSERT_TRUE(out.ok() && err.ok());
  EXPECT_TRUE(Output(out.get(), err.get()).color());
}

TEST_F(OutputTest, DumbTerminalGetsNoColour) {
  Env dumb("TERM", "dumb");
  Terminal out, err;
  ASSERT_TRUE(out.ok() && err.ok());
  Output o(out.get(), err.get());
  EXPECT_FALSE(o.color());
  o.Error("boom");
  EXPECT_THAT(err.Text(), Not(HasSubstr("\033[")));
}

// Apply reports progress from several threads: lines never mix.
TEST_F(OutputTest, ProgressLinesFromManyThreadsStayWhole) {
  CapturedFile out, err;
  Output o(out.get(), err.get());
  const std::string line(200, 'x');
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&o, &line, t] {
      for (int i = 0; i < 100; ++i) o.Progress(std::to_string(t) + line);
    });
  }
  for (std::thread& t : threads) t.join();
  const std::string text = err.Text();
  size_t lines = 0;
  for (size_t at = 0, end; (end = text.find('\n', at)) != std::string::npos; at = end + 1) {
    ++lines;
    EXPECT_EQ(end - at, line.size() + 1) << text.substr(at, end - at);
  }
  EXPECT_EQ(lines, 400u);
}

}  // namespace
}  // namespace xcert::cli
