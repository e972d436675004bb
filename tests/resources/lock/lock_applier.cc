// A stand-in for an xcert applier on another machine, for
// postgres_lock_test.cc: it locks its servers through PostgresLocker (the DSN
// in $XCERT_LOCK_DSN), "changes" each server by appending a begin and an end
// line to <log-dir>/<server>.log with a pause between them, and releases.
//
//   lock_applier --run ID --servers a,b,c [--org DOMAIN] [--host NAME]
//                [--wait-ms N] [--retry] [--rounds N] [--work-us N]
//                [--log-dir DIR] [--hold] [--go FILE]
//
// --retry: try again when the servers are locked (fail-at-once mode).
// --hold: print "locked" once the locks are held and sleep until killed.
// --go: print "ready", then start only once FILE exists (so that two
//       appliers the test starts really run at the same time).
// Exit: 0 done, 3 locked by another run (without --retry), 1 other errors.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "engine/util/strings.h"
#include "resources/lock/postgres_lock.h"

namespace {

void Append(const std::string& path, const std::string& line) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0 || ::write(fd, line.data(), line.size()) != ssize_t(line.size())) {
    std::perror(path.c_str());
    std::exit(1);
  }
  ::close(fd);
}

}  // namespace

int main(int argc, char** argv) {
  using xcert::lock::Dsn;
  using xcert::lock::LockScope;
  using xcert::lock::PostgresLocker;
  using xcert::lock::PostgresLockOptions;
  LockScope scope;
  std::string run_id, host, log_dir, go, servers;
  std::string wait_ms = "0", rounds = "1", work_us = "200";
  bool retry = false, hold = false;
  const std::map<std::string, std::string*> values = {
      {"--run", &run_id},      {"--servers", &servers}, {"--org", &scope.organization},
      {"--host", &host},       {"--wait-ms", &wait_ms}, {"--rounds", &rounds},
      {"--work-us", &work_us}, {"--log-dir", &log_dir}, {"--go", &go}};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--retry") {
      retry = true;
    } else if (arg == "--hold") {
      hold = true;
    } else if (const auto it = values.find(arg); it != values.end() && i + 1 < argc) {
      *it->second = argv[++i];
    } else {
      std::fprintf(stderr, "lock_applier: bad argument %s\n", arg.c_str());
      return 1;
    }
  }
  scope.servers = xcert::Split(servers, ',');
  xcert::Result<Dsn> dsn = Dsn::FromEnv("XCERT_LOCK_DSN");
  if (!dsn.ok()) {
    std::fprintf(stderr, "lock_applier: %s\n", dsn.status().message().c_str());
    return 1;
  }
  PostgresLocker locker(PostgresLockOptions{.dsn = *dsn,
                                            .run_id = run_id,
                                            .host = host,
                                            .pid = 0,
                                            .wait = std::chrono::milliseconds(std::stol(wait_ms))});
  if (!go.empty()) {
    std::printf("ready\n");
    std::fflush(stdout);
    while (::access(go.c_str(), F_OK) != 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  for (int round = 0; round < std::stoi(rounds); ++round) {
    auto held = locker.Lock(scope);
    while (!held.ok() && retry && held.status().code() == xcert::Code::kUnavailable) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      held = locker.Lock(scope);
    }
    if (!held.ok()) {
      std::fprintf(stderr, "lock_applier: %s\n", held.status().message().c_str());
      return held.status().code() == xcert::Code::kUnavailable ? 3 : 1;
    }
    if (hold) {
      std::printf("locked\n");
      std::fflush(stdout);
      for (;;) ::pause();
    }
    for (const std::string& server : scope.servers) {
      const std::string log = log_dir + "/" + server + ".log";
      Append(log, run_id + " begin\n");
      std::this_thread::sleep_for(std::chrono::microseconds(std::stol(work_us)));
      Append(log, run_id + " end\n");
    }
    const xcert::Status released = (*held)->Release();
    if (!released.ok()) {
      std::fprintf(stderr, "lock_applier: %s\n", released.message().c_str());
      return 1;
    }
  }
  return 0;
}
