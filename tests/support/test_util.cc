#include "tests/support/test_util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "tests/support/leak_scan.h"

namespace xcert::testing {

TempDir::TempDir() {
  const char* tmp = std::getenv("TMPDIR");
  fs::path base = tmp && *tmp ? fs::path(tmp) : fs::temp_directory_path();
  std::random_device rd;
  for (int i = 0; i < 100; ++i) {
    fs::path p = base / ("xcert-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::error_code ec;
    if (fs::create_directory(p, ec)) {
      path_ = p;
      return;
    }
  }
  throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
  std::error_code ec;
  // Key files are 0600 and directories may have been made read-only by a
  // test; restore permissions so removal cannot fail half-way.
  for (auto it = fs::recursive_directory_iterator(path_, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
  }
  fs::remove_all(path_, ec);
}

fs::path TempDir::Write(const std::string& relative, const std::string& content) const {
  fs::path p = path_ / relative;
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

fs::path SourceDir() {
  if (const char* s = std::getenv("XCERT_SOURCE_DIR"); s && *s) return s;
  return XCERT_TEST_SOURCE_DIR;
}

fs::path CssExchangeDir() { return SourceDir() / "tests" / "fixtures" / "css-exchange"; }

std::string ReadFileOrDie(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void EditFileOrDie(const fs::path& path, const std::string& from, const std::string& to) {
  std::string text = ReadFileOrDie(path);
  const size_t at = text.find(from);
  if (at == std::string::npos) {
    throw std::runtime_error(path.string() + " does not contain '" + from + "'");
  }
  text.replace(at, from.size(), to);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

namespace {

void DrainInto(int fd, std::string* out, bool* open) {
  char buf[65536];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  if (n > 0) {
    out->append(buf, static_cast<size_t>(n));
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    *open = false;
  }
}

}  // namespace

RunResult Run(const std::vector<std::string>& argv, const fs::path& cwd,
              const std::map<std::string, std::string>& env, const std::string& stdin_data) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) || ::pipe2(out_pipe, O_CLOEXEC) || ::pipe2(err_pipe, O_CLOEXEC)) {
    throw std::runtime_error("pipe failed");
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(127);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  // Feed stdin without blocking against a child that fills its stdout.
  ::signal(SIGPIPE, SIG_IGN);
  size_t written = 0;
  bool in_open = true, out_open = true, err_open = true;
  if (stdin_data.empty()) {
    ::close(in_pipe[1]);
    in_open = false;
  }
  RunResult r;
  while (out_open || err_open) {
    pollfd fds[3] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}, {in_pipe[1], POLLOUT, 0}};
    const nfds_t n = in_open ? 3 : 2;
    if (::poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (out_open && (fds[0].revents & (POLLIN | POLLHUP)))
      DrainInto(out_pipe[0], &r.out, &out_open);
    if (err_open && (fds[1].revents & (POLLIN | POLLHUP)))
      DrainInto(err_pipe[0], &r.err, &err_open);
    if (in_open && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t w =
          ::write(in_pipe[1], stdin_data.data() + written, stdin_data.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if (w < 0 || written == stdin_data.size()) {
        ::close(in_pipe[1]);
        in_open = false;
      }
    }
  }
  if (in_open) ::close(in_pipe[1]);
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

fs::path XcertBinary() {
  if (const char* b = std::getenv("XCERT_BINARY"); b && *b) return b;
  throw std::runtime_error("XCERT_BINARY is not set (run the tests through ctest)");
}

RunResult RunXcert(const std::vector<std::string>& args, const fs::path& cwd,
                   const std::map<std::string, std::string>& env, const std::string& stdin_data) {
  std::vector<std::string> argv = {XcertBinary().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult r = Run(argv, cwd, env, stdin_data);
  std::string command = "xcert";
  for (const std::string& a : args) command += " " + a;
  ExpectNoLeaks(command, r.out, r.err, cwd, env);
  return r;
}

}  // namespace xcert::testing
