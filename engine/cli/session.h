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
};

struct Session {
  Manifest manifest;
  std::string manifest_digest;
  StoreBackend stores;
  IssuerBackend issuers;
  ActualState actual;
  Desired desired;
  TimePoint now{};
  std::optional<StoreLock> lock;  // held with SessionOptions::lock
};

// The clock every command uses: the system clock, or XCERT_NOW
// ("2027-01-01T00:00:00Z") when set, for reproducible examples and tests.
std::unique_ptr<Clock> MakeClock(Output& out);

// Loads and validates the manifest (diagnostics to `out`), reads every store
// the manifest names (after locking them, with options.lock), and checks the
// issuers. nullopt after reporting errors.
std::optional<Session> OpenSession(const SessionOptions& options, const Clock& clock, Output& out);

// Diff + plan for the session (optionally only these servers), with the
// manifest path and digest recorded in the plan.
Result<Plan> MakePlan(const Session& session, const std::set<std::string>& servers);

// Reads what the plan's issue steps need and OpenSession left for later (a ca
// issuer's private key and its password), so that drift, and plans that issue
// nothing, run without the CA key's password. false after reporting errors.
bool PrepareToIssue(Session& session, const Plan& plan, Output& out);

// InvalidArgument naming the closest known server for a --server NAME the
// manifest does not declare.
Status CheckServers(const Manifest& m, const std::vector<std::string>& servers);

}  // namespace xcert::cli
