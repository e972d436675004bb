#include "resources/acme/exec_hook.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/util/strings.h"
#include "resources/acme/jws.h"

extern char** environ;

namespace xcert::acme {

Status ExecHookSolver::Run(const std::string& action, const ChallengeTask& task) {
  const std::string what = "the " + type_ + " hook (" + action + " " + task.identifier + ")";
  if (command_.empty() || command_[0].empty()) return InvalidArgument(what + ": no command given");
  std::vector<std::string> argv = command_;
  argv.insert(argv.end(), {action, task.identifier, task.token, task.key_authorization});
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!std::string_view(*e).starts_with("XCERT_ACME_")) env.emplace_back(*e);
  }
  env.push_back("XCERT_ACME_CHALLENGE=" + type_);
  if (type_ == "dns-01") {
    env.push_back("XCERT_ACME_TXT_NAME=_acme-challenge." + task.identifier);
    env.push_back("XCERT_ACME_TXT_VALUE=" + Dns01TxtValue(task.key_authorization));
  }
  std::vector<char*> args, envp;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return ErrnoStatus(what + ": pipe", errno);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(out[0]);
    ::close(out[1]);
    return ErrnoStatus(what + ": fork", errno);
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    const int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(out[1], STDERR_FILENO);
    ::execvpe(args[0], args.data(), envp.data());
    // Only async-signal-safe calls between fork and exec.
    const char* reason = std::strerror(errno);
    (void)!::write(STDERR_FILENO, "cannot run ", 11);
    (void)!::write(STDERR_FILENO, args[0], std::strlen(args[0]));
    (void)!::write(STDERR_FILENO, ": ", 2);
    (void)!::write(STDERR_FILENO, reason, std::strlen(reason));
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  ::close(out[1]);
  std::string output;
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  bool timed_out = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{out[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    char buf[4096];
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // every writer closed: the hook (and its children) are done
    output.append(buf, static_cast<size_t>(n));
    if (output.size() > 64 * 1024) output.erase(0, output.size() - 64 * 1024);
  }
  ::close(out[0]);
  if (timed_out) ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (output.size() > 1000) output = "..." + output.substr(output.size() - 1000);
  const std::string shown = Trim(output).empty() ? "" : ": " + std::string(Trim(output));
  if (timed_out) {
    return Unavailable(what + " did not finish in " + std::to_string(timeout_.count()) +
                       " s and was stopped" + shown);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string how = WIFEXITED(status)
                                ? "exited with " + std::to_string(WEXITSTATUS(status))
                                : "was killed by signal " + std::to_string(WTERMSIG(status));
    return FailedPrecondition(what + " " + how + shown);
  }
  return Status::Ok();
}

Status ExecHookSolver::Present(const ChallengeTask& task) { return Run("add", task); }
Status ExecHookSolver::CleanUp(const ChallengeTask& task) { return Run("remove", task); }

}  // namespace xcert::acme
