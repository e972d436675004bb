// The PostgreSQL lock's cost (resources/lock/postgres_lock.h): how long a
// run spends taking and releasing the locks of N servers, and the round trip
// per server, against a PostgreSQL on loopback.
//
//   xcert_bench_lock [--servers N] [--runs R]
//
// With $XCERT_LOCK_DSN set it measures that server; without, it starts a
// throwaway one on a free loopback port (tests/support/postgres_server.h;
// needs a build with the tests, the default). Each figure is the median of
// R runs (default 15) of one PostgresLocker::Lock + HeldLocks::Release on
// a fresh connection, for 100, 1,000 and N (default 2,000) servers, beside
// the same for no server (connect, session set-up, release); "per server"
// is the median of (t(n) - t(0)) / n over runs that measure both. The
// refused line is a Lock of the N servers while another session holds one
// of them: the failed attempt, the release and the holder's description.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "resources/lock/postgres_lock.h"
#ifdef XCERT_BENCH_TEST_SERVER
#include "tests/support/postgres_server.h"
#endif

namespace {

using xcert::lock::Dsn;
using xcert::lock::LockScope;
using xcert::lock::PostgresLocker;
using xcert::lock::PostgresLockOptions;
using Clock = std::chrono::steady_clock;

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "xcert_bench_lock: %s\n", message.c_str());
  std::exit(1);
}

LockScope Servers(size_t n) {
  LockScope scope;
  for (size_t i = 0; i < n; ++i) scope.servers.push_back("bench-server-" + std::to_string(i));
  return scope;
}

// Milliseconds of one Lock + Release of `scope`; dies when it fails.
double LockAndRelease(PostgresLocker& locker, const LockScope& scope) {
  const auto start = Clock::now();
  auto held = locker.Lock(scope);
  if (!held.ok()) Die(held.status().message());
  const xcert::Status released = (*held)->Release();
  if (!released.ok()) Die(released.message());
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  size_t servers = 2000;
  int runs = 15;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--servers" && i + 1 < argc) {
      servers = std::stoul(argv[++i]);
    } else if (arg == "--runs" && i + 1 < argc) {
      runs = std::stoi(argv[++i]);
    } else {
      Die("usage: xcert_bench_lock [--servers N] [--runs R]");
    }
  }
  if (servers == 0 || runs < 1) Die("--servers and --runs must be positive");

  std::optional<Dsn> dsn;
#ifdef XCERT_BENCH_TEST_SERVER
  std::unique_ptr<xcert::testing::PostgresServer> server;
#endif
  if (std::getenv("XCERT_LOCK_DSN") != nullptr) {
    xcert::Result<Dsn> from_env = Dsn::FromEnv("XCERT_LOCK_DSN");
    if (!from_env.ok()) Die(from_env.status().message());
    dsn = *from_env;
  } else {
#ifdef XCERT_BENCH_TEST_SERVER
    server = std::make_unique<xcert::testing::PostgresServer>();
    if (!server->problem().empty()) Die(server->problem());
    xcert::Result<Dsn> local = Dsn::Parse(server->ConnInfo(), "a throwaway server");
    if (!local.ok()) Die(local.status().message());
    dsn = *local;
#else
    Die("set XCERT_LOCK_DSN (this build has no tests, so no throwaway server)");
#endif
  }

  PostgresLocker locker(PostgresLockOptions{.dsn = *dsn, .run_id = "bench"});
  std::printf("xcert_bench_lock: %s, median of %d runs\n", locker.Describe().c_str(), runs);
  std::printf("%8s  %14s  %14s  %14s\n", "servers", "lock+release", "connect", "per server");
  const LockScope none;
  LockAndRelease(locker, none);  // warm-up: caches on both sides
  std::vector<size_t> sizes = {100, 1000};
  if (servers != 100 && servers != 1000) sizes.push_back(servers);
  for (const size_t n : sizes) {
    const LockScope scope = Servers(n);
    LockAndRelease(locker, scope);
    // Connecting costs more than the locks and varies from run to run: each
    // run measures both, and the per-server figure is the median difference.
    std::vector<double> totals, connects, differences;
    for (int r = 0; r < runs; ++r) {
      connects.push_back(LockAndRelease(locker, none));
      totals.push_back(LockAndRelease(locker, scope));
      differences.push_back(totals.back() - connects.back());
    }
    std::printf("%8zu  %11.2f ms  %11.2f ms  %11.1f us\n", n, Median(totals), Median(connects),
                Median(differences) * 1000.0 / double(n));
  }

  // Refused: another session holds the last server.
  const LockScope all = Servers(servers);
  PostgresLocker other(PostgresLockOptions{.dsn = *dsn, .run_id = "bench-holder"});
  auto held = other.Lock(LockScope{.servers = {all.servers.back()}});
  if (!held.ok()) Die(held.status().message());
  std::vector<double> refused;
  for (int r = 0; r < runs; ++r) {
    const auto start = Clock::now();
    auto attempt = locker.Lock(all);
    if (attempt.ok()) Die("the lock was not refused");
    refused.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::printf("refused %zu servers, 1 held elsewhere: %.2f ms (message included)\n", servers,
              Median(refused));
  return 0;
}
