// Real servers for tests (nginx, Postfix, Dovecot, Pebble, BIND, PostgreSQL,
// openssl s_server, pwsh): found where Debian installs them, started on a
// free loopback port, stopped by PID when the test ends.
//
//   auto nginx = FindProgram("nginx");
//   if (!nginx) GTEST_SKIP() << NotInstalled("nginx");
//   const uint16_t port = FreeLoopbackPort();
//   BackgroundProcess server({nginx->string(), "-c", conf}, dir.path() / "nginx.log");
//   ASSERT_TRUE(server.WaitForPort(port)) << server.Log();
//
// Run daemons in the foreground (nginx "daemon off;", dovecot -F, named -g,
// postfix start-fg, postgres itself rather than pg_ctl) so that the process
// group holds every process the test started.
//
// CI installs every such program through scripts/setup, so a skip there is a
// setup bug; on a user's machine the skip line says what to install.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace xcert::testing {

namespace fs = std::filesystem;

// A TCP port on 127.0.0.1 that nothing listens on right now (the kernel's
// choice of an ephemeral port). Another process may take it before the
// server binds it; WaitForPort then fails and says so.
uint16_t FreeLoopbackPort();

// `name` on $PATH, or in the directories Debian keeps daemons in (/usr/sbin,
// /sbin, /usr/lib/postgresql/*/bin, /usr/lib/dovecot, ~/.dotnet/tools).
std::optional<fs::path> FindProgram(const std::string& name);

// The skip message for a missing program.
std::string NotInstalled(const std::string& program);

// True if something accepts TCP connections on host:port.
bool PortAccepts(const std::string& host, uint16_t port);

// A server process started for one test: stdout and stderr go to `log`; the
// process leads its own process group, and the destructor (or Stop) sends
// SIGTERM to the group, then SIGKILL after a grace period, and reaps it.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, const fs::path& log,
                    const std::map<std::string, std::string>& env = {}, const fs::path& cwd = {});
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // Waits until the process accepts connections on host:port; false when it
  // exited or the timeout passed (the log says why).
  bool WaitForPort(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(20),
                   const std::string& host = "127.0.0.1");
  // Sends `signal` to the process group (SIGKILL: a crash the test provokes).
  void Signal(int signal);
  // Stops the process group and returns its exit status (128+signal if killed).
  int Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // What the process wrote so far (for assertion messages).
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  fs::path log_;
};

}  // namespace xcert::testing
