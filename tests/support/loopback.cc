#include "tests/support/loopback.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <glob.h>
#include <netinet/in.h>

namespace xcert::testing {
namespace {

sockaddr_in LoopbackAddress(const std::string& host, uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    throw std::invalid_argument("not an IPv4 address: " + host);
  }
  return addr;
}

std::vector<fs::path> SearchDirs() {
  std::vector<fs::path> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream in(path);
    for (std::string dir; std::getline(in, dir, ':');) {
      if (!dir.empty()) dirs.emplace_back(dir);
    }
  }
  for (const char* d : {"/usr/sbin", "/sbin", "/usr/lib/dovecot"}) dirs.emplace_back(d);
  glob_t g{};
  if (::glob("/usr/lib/postgresql/*/bin", 0, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) dirs.emplace_back(g.gl_pathv[i]);
  }
  ::globfree(&g);
  if (const char* home = std::getenv("HOME")) dirs.push_back(fs::path(home) / ".dotnet/tools");
  return dirs;
}

}  // namespace

uint16_t FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr = LoopbackAddress("127.0.0.1", 0);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind a loopback port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::optional<fs::path> FindProgram(const std::string& name) {
  for (const fs::path& dir : SearchDirs()) {
    const fs::path candidate = dir / name;
    if (::access(candidate.c_str(), X_OK) == 0 && fs::is_regular_file(candidate)) {
      return candidate;
    }
  }
  return std::nullopt;
}

std::string NotInstalled(const std::string& program) {
  return "skipped: " + program +
         " is not installed (scripts/setup --deps installs it; CI always has it)";
}

bool PortAccepts(const std::string& host, uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const sockaddr_in addr = LoopbackAddress(host, port);
  const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv, const fs::path& log,
                                     const std::map<std::string, std::string>& env,
                                     const fs::path& cwd)
    : log_(log) {
  const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (out < 0) throw std::runtime_error("cannot open " + log.string());
  pid_ = ::fork();
  if (pid_ < 0) {
    ::close(out);
    throw std::runtime_error("fork failed");
  }
  if (pid_ == 0) {
    ::setpgid(0, 0);
    const int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(127);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::setpgid(pid_, pid_);  // also from the parent, so Signal works before the child runs
  ::close(out);
}

BackgroundProcess::~BackgroundProcess() { Stop(); }

bool BackgroundProcess::running() {
  if (status_ || pid_ < 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
  }
  return true;
}

bool BackgroundProcess::WaitForPort(uint16_t port, std::chrono::milliseconds timeout,
                                    const std::string& host) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (PortAccepts(host, port)) return true;
    // A daemon that forks into the background exits 0 and keeps serving.
    if (!running() && status_ != 0) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void BackgroundProcess::Signal(int signal) {
  if (pid_ > 0) ::kill(-pid_, signal);
}

int BackgroundProcess::Stop(std::chrono::milliseconds grace) {
  if (pid_ < 0) return status_.value_or(-1);
  Signal(SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (running()) {
    Signal(SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    status_ = 128 + SIGKILL;
  }
  // Daemons that left the group's leader (double fork) are still in the group.
  ::kill(-pid_, SIGKILL);
  pid_ = -1;
  return status_.value_or(-1);
}

std::string BackgroundProcess::Log() const {
  std::ifstream in(log_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace xcert::testing
