// The writer lock across machines: PostgreSQL session advisory locks, one
// per server and one for the organisation (keys: resources/lock/advisory_key.h),
// held on a connection of their own for the whole run.
//
// - Lock connects (application_name "xcert <host> pid <pid> run <run id>"),
//   then takes every key of the scope in ascending order in one statement:
//   pg_try_advisory_lock by default (fail at once, like the store's file
//   lock), or pg_advisory_lock bounded by statement_timeout when `wait` is
//   set. Anything short of all of them releases what it took.
// - When a key is held, the Unavailable error names each holder from
//   pg_locks joined with pg_stat_activity (application name, client address,
//   since when its connection exists, backend pid) and what to do.
// - PostgreSQL ends the locks with the session: when the process exits or is
//   killed (the kernel closes its socket), and when its machine disappears
//   (the session sets tcp_keepalives_* so the server notices within ~2 min).
//
// Every runner must connect to the same database (advisory locks are per
// database; a dedicated one keeps other applications' keys apart), directly
// or through a session pooler: a transaction pooler
// (pgbouncer pool_mode=transaction) would hand the session to others.
// Runners that should see each other's details (address, since when) connect
// as one role, or as roles in pg_read_all_stats; others see the application
// name only. Each server is one entry of the server's shared lock table,
// sized by max_locks_per_transaction x max_connections (at least 6,400 by
// default).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "resources/lock/dsn.h"
#include "resources/lock/run_lock.h"

namespace xcert::lock {

struct PostgresLockOptions {
  Dsn dsn;
  std::string run_id;  // this run's id, shown to the runners it blocks
  std::string host;    // this machine's name; empty: gethostname()
  long pid = 0;        // this process; 0: getpid()
  // How long Lock waits for locks others hold; zero fails at once.
  std::chrono::milliseconds wait{0};
};

// "xcert <host> pid <pid> run <run id>" in at most 63 printable ASCII bytes
// (PostgreSQL keeps no more): a long host is cut to its first label, then
// shortened, so that pid and run id survive; other bytes become '?'.
std::string ApplicationName(std::string_view host, long pid, std::string_view run_id);

class PostgresLocker final : public RunLocker {
 public:
  explicit PostgresLocker(PostgresLockOptions options);

  Result<std::unique_ptr<HeldLocks>> Lock(const LockScope& scope) override;
  // "PostgreSQL advisory locks at host=db port=5432 ... (from XCERT_LOCK_DSN)".
  std::string Describe() const override;

  const std::string& application_name() const { return application_name_; }

 private:
  PostgresLockOptions options_;
  std::string application_name_;
};

}  // namespace xcert::lock
