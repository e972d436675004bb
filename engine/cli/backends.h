// The outermost seam: from a manifest's `store` and `issuers` sections to the
// resources that implement them (local directory, Exchange, snapshot stores;
// ca / request / file / self-signed issuers). The only place that names
// resources/ implementations.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "engine/apply/backup.h"
#include "engine/apply/executor.h"
#include "engine/apply/issuer.h"
#include "engine/apply/lock.h"
#include "engine/model/manifest.h"
#include "engine/plan/desired.h"
#include "engine/plan/plan.h"
#include "engine/util/diagnostics.h"
#include "resources/lock/run_lock.h"

namespace xcert::cli {

struct StoreBackend {
  std::unique_ptr<StoreSet> stores;
  std::string state_dir;    // holds the writer lock and the apply journals
  bool read_only = false;   // snapshots: plan and drift only
  std::string description;  // "local store ./store", for messages
  // Why a writer may not lock state_dir: a local store folder that is not a
  // store (locking would put files in it; store init makes stores).
  Status lockable;
  // For a writer that holds the lock, before it reads the stores: deletes
  // what writers that died left in them (local stores). Unset: nothing to do.
  std::function<Status()> clean_leftovers;
};

// Opens the stores the manifest's `store` section describes (nothing is
// written; a missing local store directory is reported by List, per server).
// Stores date what they create with `clock`, which must outlive them.
Result<StoreBackend> OpenStores(const Manifest& manifest, const Clock& clock);

// The manifest's servers that its local store lacks, in manifest order: all
// of them when there is no store folder, else those without a folder (a
// folder whose name differs only in case is the same server, not missing).
// Empty for the other store types and for a folder that is not a store.
std::vector<const ServerSpec*> ServersMissingFromLocalStore(const Manifest& manifest);

// The `xcert store init -f MANIFEST` command line that creates every server
// the manifest's local store lacks, as the manifest describes them (the path
// quoted for a shell when it needs quotes).
std::string StoreInitCommand(const Manifest& manifest);

// For a writer: takes the stores' writer lock, <state_dir>/xcert.lock
// (creating state_dir when it is xcert's own folder beside the manifest).
// Refuses read-only stores and a local store folder that is not a store;
// Unavailable, naming the holder, when another process holds the lock.
Result<StoreLock> LockStores(const StoreBackend& backend, TimePoint now);

// The manifest's `lock` across machines: a PostgreSQL locker (the
// connection string read from lock.dsnEnv now, its errors naming that
// field's line), or nullptr for the default file lock, which LockStores
// takes. `run_id` names this run to the runners it blocks.
Result<std::unique_ptr<lock::RunLocker>> OpenRunLocker(const Manifest& manifest,
                                                       const std::string& run_id);

struct IssuerBackend {
  std::map<std::string, IssuerFacts> facts;
  std::unique_ptr<IssuerSet> issuers;
};

// Reads every issuer's files (CA certificate, purchased file, inbox) and
// checks them; errors and warnings go to `diagnostics` at the issuer's line.
Result<IssuerBackend> OpenIssuerBackend(const Manifest& manifest, const ActualState& actual,
                                        TimePoint now, Diagnostics* diagnostics);

// Reads what issuing with the issuers `names` needs beyond what
// OpenIssuerBackend read (a ca issuer's private key and its password);
// problems go to `diagnostics` at the issuer's line.
void PrepareIssuers(IssuerBackend& backend, const std::set<std::string>& names,
                    Diagnostics* diagnostics);

// The backup folder of the manifest (`backup.path`), or nullptr if unset.
std::unique_ptr<BackupSink> OpenBackups(const Manifest& manifest);

// The plan as an Exchange Management Shell script for review (resources/exchange).
Result<std::string> RenderPlanPs1(const Plan& plan, const Manifest& manifest);

// SHA-256 (hex) of the manifest file's bytes, for saved plans.
Result<std::string> ManifestDigest(const std::string& path);

}  // namespace xcert::cli
