#include "resources/exchange/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <optional>
#include <thread>

#include <spawn.h>

extern char** environ;

namespace xcert::exchange {

namespace {

using Clock = std::chrono::steady_clock;

// A file descriptor closed on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Close(); }
  int get() const { return fd_; }
  bool open() const { return fd_ >= 0; }
  void Reset(int fd) {
    Close();
    fd_ = fd;
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

Status SetNonBlocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    return ErrnoStatus("fcntl(O_NONBLOCK)", errno);
  }
  return Status::Ok();
}

// The pipes and socket between xcert and the child. stdin is a socket so
// that writing to a child that has already exited gives EPIPE (MSG_NOSIGNAL)
// instead of killing xcert with SIGPIPE.
struct Channels {
  Fd in_parent, in_child;
  Fd out_parent, out_child;
  Fd err_parent, err_child;

  Status Open() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
      return ErrnoStatus("socketpair", errno);
    }
    in_parent.Reset(sv[0]);
    in_child.Reset(sv[1]);
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return ErrnoStatus("pipe2", errno);
    out_parent.Reset(p[0]);
    out_child.Reset(p[1]);
    if (::pipe2(p, O_CLOEXEC) != 0) return ErrnoStatus("pipe2", errno);
    err_parent.Reset(p[0]);
    err_child.Reset(p[1]);
    XCERT_RETURN_IF_ERROR(SetNonBlocking(in_parent.get()));
    XCERT_RETURN_IF_ERROR(SetNonBlocking(out_parent.get()));
    return SetNonBlocking(err_parent.get());
  }
};

// posix_spawn attributes and file actions with RAII cleanup.
class SpawnSetup {
 public:
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions_);
    posix_spawnattr_init(&attr_);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions_);
    posix_spawnattr_destroy(&attr_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;

  // stdin/stdout/stderr from `c`; a new process group (so a timeout can stop
  // the transport and everything it started); default signal handling and an
  // empty signal mask whatever xcert itself uses.
  void Configure(const Channels& c) {
    posix_spawn_file_actions_adddup2(&actions_, c.in_child.get(), STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions_, c.out_child.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions_, c.err_child.get(), STDERR_FILENO);
    posix_spawnattr_setflags(
        &attr_, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr_, 0);
    sigset_t empty;
    sigemptyset(&empty);
    posix_spawnattr_setsigmask(&attr_, &empty);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD}) sigaddset(&defaults, s);
    posix_spawnattr_setsigdefault(&attr_, &defaults);
  }

  const posix_spawn_file_actions_t* actions() const { return &actions_; }
  const posix_spawnattr_t* attr() const { return &attr_; }

 private:
  posix_spawn_file_actions_t actions_;
  posix_spawnattr_t attr_;
};

// Reads what is available on `fd` into `sink` (at most `limit` bytes kept).
// Returns false at end of file or on an error other than EAGAIN.
bool Drain(int fd, std::string* sink, size_t limit, bool* limited) {
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      const size_t room = sink->size() < limit ? limit - sink->size() : 0;
      if (size_t(n) > room) *limited = true;
      sink->append(buf, std::min(size_t(n), room));
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

class Child {
 public:
  explicit Child(pid_t pid) : pid_(pid) {}
  ~Child() {
    // Never leave a child behind, whatever happened above.
    if (!reaped_) {
      ::kill(-pid_, SIGKILL);
      Wait(true);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  bool reaped() const { return reaped_; }

  // Collects the exit status if the child has ended (or waits for it).
  void Wait(bool block) {
    if (reaped_) return;
    int status = 0;
    pid_t r;
    do {
      r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r != pid_) return;
    reaped_ = true;
    if (WIFEXITED(status)) exit_code_ = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) signal_ = WTERMSIG(status);
  }

  // SIGTERM to the process group, then SIGKILL if it is still there after
  // `grace`.
  void Stop(std::chrono::milliseconds grace) {
    ::kill(-pid_, SIGTERM);
    const auto until = Clock::now() + grace;
    while (!reaped_ && Clock::now() < until) {
      Wait(false);
      if (!reaped_) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(-pid_, SIGKILL);  // also stops anything the child left in its group
    Wait(true);
  }

  int exit_code() const { return exit_code_; }
  int signal() const { return signal_; }

 private:
  pid_t pid_;
  bool reaped_ = false;
  int exit_code_ = -1;
  int signal_ = 0;
};

int MillisUntil(Clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - Clock::now()).count();
  return int(std::clamp<long long>(ms, 0, 100));
}

// A started child and xcert's ends of its stdin, stdout and stderr.
struct Running {
  Channels c;
  std::unique_ptr<Child> child;
  Clock::time_point started;
};

Result<std::unique_ptr<Running>> Spawn(const std::vector<std::string>& argv) {
  if (argv.empty()) return InvalidArgument("the transport command is empty");
  auto r = std::make_unique<Running>();
  XCERT_RETURN_IF_ERROR(r->c.Open());
  SpawnSetup setup;
  setup.Configure(r->c);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  r->started = Clock::now();
  pid_t pid = 0;
  const int rc =
      ::posix_spawnp(&pid, argv[0].c_str(), setup.actions(), setup.attr(), args.data(), environ);
  if (rc != 0) {
    return Unavailable("cannot start '" + argv[0] + "': " + std::strerror(rc));
  }
  r->child = std::make_unique<Child>(pid);
  r->c.in_child.Close();
  r->c.out_child.Close();
  r->c.err_child.Close();
  return r;
}

// What one Pump moves: `input` from `*written` on (stdin is closed after it
// when `close_input`), and whatever the child prints, into `out` and `err`
// (each kept to `limit` bytes; `*limited` set when more came).
struct PumpIo {
  std::string_view input;
  size_t* written;
  bool close_input;
  std::string* out;
  std::string* err;
  size_t limit;
  bool* limited;
};

// Moves bytes between xcert and the child until `done()` holds (asked after
// every read), or the child has exited and its output has been read (a
// grandchild holding the pipes gets one more second), or `deadline` passes
// (returns false; the child is left running for the caller to stop).
Result<bool> Pump(Running& r, const PumpIo& io, Clock::time_point deadline,
                  const std::function<bool()>& done) {
  Channels& c = r.c;
  Child& child = *r.child;
  if (io.input.size() == *io.written && io.close_input) c.in_parent.Close();
  std::optional<Clock::time_point> drain_until;  // set once the child has exited
  for (;;) {
    if (done()) return true;
    child.Wait(false);
    if (child.reaped() && !drain_until) drain_until = Clock::now() + std::chrono::seconds(1);
    const bool reading = c.out_parent.open() || c.err_parent.open();
    if (!reading && child.reaped()) return true;
    if (drain_until && Clock::now() >= *drain_until) return true;  // a grandchild holds the pipes
    if (Clock::now() >= deadline) return false;
    pollfd fds[3];
    nfds_t n = 0;
    auto add = [&](const Fd& fd, short events) {
      if (fd.open()) fds[n++] = pollfd{fd.get(), events, 0};
    };
    if (*io.written < io.input.size()) add(c.in_parent, POLLOUT);
    add(c.out_parent, POLLIN);
    add(c.err_parent, POLLIN);
    const int ready =
        ::poll(fds, n, MillisUntil(drain_until ? std::min(*drain_until, deadline) : deadline));
    if (ready < 0 && errno != EINTR) return ErrnoStatus("poll", errno);
    if (ready <= 0) continue;
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == c.in_parent.get()) {
        const ssize_t w = ::send(fds[i].fd, io.input.data() + *io.written,
                                 io.input.size() - *io.written, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) *io.written += size_t(w);
        // The child stopped reading (exited, or closed stdin): the rest of
        // the input is not needed; what it printed tells what happened.
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
          c.in_parent.Close();
          *io.written = io.input.size();
        } else if (*io.written == io.input.size() && io.close_input) {
          c.in_parent.Close();
        }
      } else if (fds[i].fd == c.out_parent.get()) {
        if (!Drain(fds[i].fd, io.out, io.limit, io.limited)) c.out_parent.Close();
      } else if (fds[i].fd == c.err_parent.get()) {
        if (!Drain(fds[i].fd, io.err, io.limit, io.limited)) c.err_parent.Close();
      }
    }
  }
}

// Finds the first complete line at or after `*scan` that is exactly
// `marker` (a CR before the newline allowed): sets [*begin, *end) to it,
// newline included. `*scan` moves past the lines looked at, so a growing
// buffer is read once.
bool FindMarkerLine(const std::string& buf, std::string_view marker, size_t* scan, size_t* begin,
                    size_t* end) {
  for (size_t nl = buf.find('\n', *scan); nl != std::string::npos; nl = buf.find('\n', *scan)) {
    std::string_view line(buf.data() + *scan, nl - *scan);
    if (line.ends_with('\r')) line.remove_suffix(1);
    const size_t at = *scan;
    *scan = nl + 1;
    if (line == marker) {
      *begin = at;
      *end = nl + 1;
      return true;
    }
  }
  return false;
}

}  // namespace

Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, std::string_view input,
                                 const ProcessOptions& options) {
  XCERT_ASSIGN_OR_RETURN(std::unique_ptr<Running> r, Spawn(argv));
  ProcessResult result;
  size_t written = 0;
  const PumpIo io{
      input, &written, true, &result.out, &result.err, options.max_output, &result.output_limited};
  XCERT_ASSIGN_OR_RETURN(bool finished,
                         Pump(*r, io, r->started + options.timeout, [] { return false; }));
  result.timed_out = !finished;
  if (!r->child->reaped()) r->child->Stop(std::chrono::seconds(2));
  result.exit_code = r->child->exit_code();
  result.signal = r->child->signal();
  result.seconds = std::chrono::duration<double>(Clock::now() - r->started).count();
  return result;
}

struct ProcessSession::Impl {
  std::unique_ptr<Running> running;
  std::string out;  // stdout not yet given to a request
  std::string err;
  bool broken = false;  // a request stopped the process
};

ProcessSession::ProcessSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<ProcessSession>> ProcessSession::Start(
    const std::vector<std::string>& argv) {
  auto impl = std::make_unique<Impl>();
  XCERT_ASSIGN_OR_RETURN(impl->running, Spawn(argv));
  return std::unique_ptr<ProcessSession>(new ProcessSession(std::move(impl)));
}

ProcessSession::~ProcessSession() {
  CloseInput();
  Child& child = *impl_->running->child;
  const auto until = Clock::now() + kCloseGrace;
  while (!child.reaped() && Clock::now() < until) {
    child.Wait(false);
    if (!child.reaped()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!child.reaped()) child.Stop(std::chrono::seconds(2));
}

void ProcessSession::CloseInput() { impl_->running->c.in_parent.Close(); }

bool ProcessSession::usable() {
  Child& child = *impl_->running->child;
  child.Wait(false);
  return !impl_->broken && !child.reaped() && impl_->running->c.in_parent.open() &&
         impl_->running->c.out_parent.open();
}

ProcessResult ProcessSession::Request(std::string_view input, std::string_view marker,
                                      const ProcessOptions& options) {
  Running& r = *impl_->running;
  const auto start = Clock::now();
  ProcessResult result;
  size_t written = 0;
  size_t scan = 0, begin = 0, end = 0;
  bool found = false;
  const PumpIo io{
      input, &written, false, &impl_->out, &impl_->err, options.max_output, &result.output_limited};
  Result<bool> finished = Pump(r, io, start + options.timeout, [&] {
    found = found || FindMarkerLine(impl_->out, marker, &scan, &begin, &end);
    return found || result.output_limited;
  });
  if (found) {
    result.exit_code = 0;
    result.out = impl_->out.substr(0, begin);
    impl_->out.erase(0, end);
  } else {
    impl_->broken = true;
    result.timed_out = finished.ok() && !*finished;
    if (!r.child->reaped()) r.child->Stop(std::chrono::seconds(2));
    result.exit_code = r.child->exit_code();
    result.signal = r.child->signal();
    result.out = std::move(impl_->out);
    impl_->out.clear();
  }
  result.err = std::move(impl_->err);
  impl_->err.clear();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

}  // namespace xcert::exchange
