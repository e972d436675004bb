// The 64-bit PostgreSQL advisory lock key of each thing a run locks. Every
// xcert version, and every runner, must compute the same key for the same
// server, so the scheme is fixed here and versioned in its namespace:
//
//   name = "xcert:v1:" + kind + ":" + lower-case name
//          kind = "server"        the server's name        ("xcert:v1:server:mail01")
//                 "organization"  the organisation's domain ("xcert:v1:organization:contoso.com")
//          (ASCII lower case only: Exchange server names and domains are ASCII;
//          other bytes are hashed as given, UTF-8)
//   key  = the first 8 bytes of SHA-256(name), read big-endian as a signed
//          (two's complement) 64-bit integer: pg_advisory_lock(bigint)'s key.
//
// A change to the scheme must change "v1", and runners of both schemes must
// not run at the same time (they would not exclude each other).
//
// The same key in SQL (PostgreSQL 11 or later), to see who holds a server:
//   SELECT ('x' || left(encode(sha256(convert_to('xcert:v1:server:mail01', 'UTF8')),
//           'hex'), 16))::bit(64)::bigint;
//   pg_locks shows it as locktype 'advisory', objsubid 1, classid = the key's
//   high 32 bits, objid = its low 32 bits.
//
// Locks are taken in ascending key order (signed comparison), each key once:
// one global order, so two runners cannot wait for each other in a cycle.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "resources/lock/run_lock.h"

namespace xcert::lock {

enum class LockKind : uint8_t { kServer, kOrganization };

// "xcert:v1:server:mail01".
std::string NamespacedName(LockKind kind, std::string_view name);

// The advisory lock key of NamespacedName(kind, name).
int64_t AdvisoryKey(LockKind kind, std::string_view name);

// One key to take and what it stands for, as the scope wrote it, for messages.
struct KeyedLock {
  int64_t key = 0;
  // "server 'MAIL01'", "the organisation 'contoso.com'"; more than one when
  // names share a key (the same server in another case, or a hash collision).
  std::vector<std::string> labels;
};

// The keys of `scope` in the order they are taken: ascending, each once.
std::vector<KeyedLock> KeysInLockOrder(const LockScope& scope);

}  // namespace xcert::lock
