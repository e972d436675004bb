// The writer lock a run takes before it changes servers, as the engine sees
// it: "lock these servers (and the organisation) for this run". Two kinds
// implement it: the store's file lock (engine/apply/lock.h, one lock for the
// whole store, the default) and PostgreSQL session advisory locks for runners
// on several machines (resources/lock/postgres_lock.h, one lock per server and
// one for the organisation). Nothing here depends on PostgreSQL.
//
// The contract every implementation keeps:
// - Lock takes every lock of the scope or none: it never returns with some
//   of them held, so a run that cannot start leaves nothing behind.
// - A lock another run holds fails with Code::kUnavailable and a message that
//   names the holder (host, pid, run id, since when) and says what to do.
// - Locks end with the process that holds them, however it ends (kill -9
//   included): no stale lock needs cleaning by hand.
// - Two runs that lock overlapping scopes cannot deadlock (locks are taken in
//   one global order).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/util/status.h"

namespace xcert::lock {

// What one run changes.
struct LockScope {
  // Server names as the manifest writes them; order, case and duplicates do
  // not matter ("MAIL01" and "mail01" are one server).
  std::vector<std::string> servers;
  // The organisation's domain when the run has organisation-wide steps (the
  // Auth configuration); empty when it has none.
  std::string organization;
};

// Locks a run holds. The destructor releases them when Release was not
// called (and the operating system or the server does when the process dies).
class HeldLocks {
 public:
  virtual ~HeldLocks() = default;
  // Still held? Unavailable when they may have been lost (the connection to
  // the lock server broke): the run must stop changing servers.
  virtual Status Check() = 0;
  // Releases every lock now; later calls do nothing. An error says the locks
  // could not be released explicitly (they end when the connection does).
  virtual Status Release() = 0;
};

class RunLocker {
 public:
  virtual ~RunLocker() = default;
  // Takes every lock of `scope` or none (see the contract above).
  virtual Result<std::unique_ptr<HeldLocks>> Lock(const LockScope& scope) = 0;
  // What the locks are, for messages and logs, without secrets:
  // "PostgreSQL advisory locks at host=db port=5432 dbname=xcert user=xcert".
  virtual std::string Describe() const = 0;
};

}  // namespace xcert::lock
