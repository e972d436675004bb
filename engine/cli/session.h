// What plan, apply and drift share: load the manifest, open and read the
// stores, check the issuers, expand the desired state and diff it.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>

#include "engine/cli/backends.h"
#include "engine/cli/output.h"
#include "engine/plan/diff.h"
#include "engine/plan/plan.h"

namespace xcert::cli {

struct SessionOptions {
  std::string manifest_path = "xcert.yaml";
  int parallelism = 0;
  // For writers (apply): take the stores' writer lock, and delete what
  // writers that died left, before reading the stores, so that the plan is
  // made (or a saved one checked) from what no other writer changes until
  // the session ends.
  bool lock = false;
  // Only the servers of this shard are read, locked, planned and checked.
  ShardSpec shard;
};

struct Session {
  Manifest manifest;
  std::string manifest_digest;
  ShardSpec shard;
  std::vector<std::string> servers;  // what the session covers: the shard's, or every server
  StoreBackend stores;
  IssuerBackend issuers;
  ActualState actual;
  Desired desired;
  TimePoint now{};
  std::optional<StoreLock> lock;  // held with SessionOptions::lock
  // With SessionOptions::lock and `lock: {type: postgres}`: the advisory lock
  // of every server of the manifest, held until the session ends.
  std::unique_ptr<lock::HeldLocks> run_locks;
};

// Whether a command says on stderr that XCERT_NOW fixes its clock.
enum class ClockNote { kQuiet, kAnnounce };

// The clock every command uses: the system clock, or XCERT_NOW
// ("2027-01-01T00:00:00Z") when set, a testing aid for reproducible examples
// and tests. With kAnnounce (plan, apply, drift: what they decide depends on
// the time) a set XCERT_NOW is said as a warning. nullptr, after reporting
// the error, when XCERT_NOW is set but not such a time (the command exits 1).
std::unique_ptr<Clock> MakeClock(Output& out, ClockNote note = ClockNote::kQuiet);

// Whether XCERT_NOW is set: the clock MakeClock returns is not the real time.
bool ClockIsFixed();

// Loads and validates the manifest (diagnostics to `out`), reads the store of
// every server the manifest names (of options.shard's servers only, when it
// is active; after locking them, with options.lock), and checks the issuers.
// nullopt after reporting errors.
std::optional<Session> OpenSession(const SessionOptions& options, const Clock& clock, Output& out);

// Whether two role lists name the same roles, in any order.
bool SameRoles(std::vector<Role> a, std::vector<Role> b);

// A warning at the manifest's line for each server whose store says it has
// another FQDN or other roles than the manifest declares (fields the store
// does not know are not compared). OpenSession reports them.
Diagnostics IdentityMismatches(const Manifest& m, const ActualState& actual);

// Diff + plan for the session (optionally only these servers), with the
// manifest path and digest recorded in the plan.
Result<Plan> MakePlan(const Session& session, const std::set<std::string>& servers);

// Reads what the plan's issue steps need and OpenSession left for later (a ca
// issuer's private key and its password), so that drift, and plans that issue
// nothing, run without the CA key's password. false after reporting errors.
bool PrepareToIssue(Session& session, const Plan& plan, Output& out);

// The password of the PKCS#12 backups `plan` makes ("" when no backup step
// exports a private key). A missing backup.path or password setting, or a
// password that is not set, not readable or empty, is an error at the
// manifest line that sets it (or should), naming the variable or file to set,
// so that plan reports what apply would otherwise meet half-way. nullopt after
// reporting errors to `out`.
std::optional<std::string> ReadBackupPassword(const Session& session, const Plan& plan,
                                              Output& out);

// InvalidArgument naming the closest known server for a --server NAME the
// manifest does not declare.
Status CheckServers(const Manifest& m, const std::vector<std::string>& servers);

}  // namespace xcert::cli
