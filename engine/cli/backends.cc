#include "engine/cli/backends.h"

#include <set>

#include "engine/util/file_util.h"
#include "engine/util/strings.h"
#include "resources/exchange/exchange_store.h"
#include "resources/exchange/ps1_plan.h"
#include "resources/exchange/snapshot.h"
#include "resources/issuers/open_issuers.h"
#include "resources/lock/postgres_lock.h"
#include "resources/store/backup_dir.h"
#include "resources/store/local_format.h"
#include "resources/store/local_store.h"
#include "resources/x509/digest.h"

namespace xcert::cli {

namespace {

// validate refuses a backup folder inside the store (or the reverse) as
// written; this compares where they really are, links resolved, before a run.
Status CheckBackupOutsideStore(const Manifest& m, const std::string& root) {
  if (m.backup.path.empty()) return Status::Ok();
  const std::string backup = m.Resolve(m.backup.path);
  std::error_code store_ec;
  std::error_code backup_ec;
  const fs::path real_store = fs::weakly_canonical(root, store_ec);
  const fs::path real_backup = fs::weakly_canonical(backup, backup_ec);
  if (store_ec || backup_ec) return Status::Ok();  // the store's own checks report it
  if (!IsSameOrInside(real_store, real_backup) && !IsSameOrInside(real_backup, real_store)) {
    return Status::Ok();
  }
  return FailedPrecondition(
      m.source.Find("/backup/path").ToString() + ": the backup folder " + backup + " (" +
      real_backup.string() + ") and the store " + root + " (" + real_store.string() +
      ") are one inside the other once links are followed; give the backups a folder outside "
      "the store, and the store one outside the backups; nothing was read or changed");
}

Result<StoreBackend> OpenLocal(const Manifest& m, const Clock& clock) {
  if (m.store.path.empty()) {
    return InvalidArgument(m.source.Find("/store").ToString() +
                           ": a local store needs store.path; add path: ./store");
  }
  const std::string root = m.Resolve(m.store.path);
  XCERT_RETURN_IF_ERROR(CheckBackupOutsideStore(m, root));
  auto stores = std::make_unique<store::LocalStoreSet>(root, clock);
  StoreBackend b;
  b.lockable = stores->root_status();
  b.clean_leftovers = [set = stores.get()] { return set->CleanLeftovers(); };
  b.stores = std::move(stores);
  b.state_dir = root;
  b.description = "local store " + root;
  return b;
}

// Remote stores keep their lock and journals beside the manifest.
std::string LocalStateDir(const Manifest& m) { return m.Resolve(".xcert"); }

Result<StoreBackend> OpenExchange(const Manifest& m, const Clock& clock) {
  XCERT_ASSIGN_OR_RETURN(std::unique_ptr<StoreSet> stores, exchange::OpenExchangeStores(m, clock));
  StoreBackend b;
  b.stores = std::move(stores);
  b.state_dir = LocalStateDir(m);
  b.description = "Exchange store (through store.transport)";
  return b;
}

Result<StoreBackend> OpenSnapshot(const Manifest& m) {
  XCERT_ASSIGN_OR_RETURN(std::unique_ptr<StoreSet> stores, exchange::OpenSnapshotStores(m));
  StoreBackend b;
  b.stores = std::move(stores);
  b.state_dir = LocalStateDir(m);
  b.read_only = true;
  b.description = "the snapshot store " + m.Resolve(m.store.path);
  return b;
}

}  // namespace

std::vector<const ServerSpec*> ServersMissingFromLocalStore(const Manifest& m) {
  std::vector<const ServerSpec*> missing;
  if (m.store.type != StoreType::kLocal || m.store.path.empty()) return missing;
  const fs::path root = m.Resolve(m.store.path);
  std::error_code ec;
  const bool no_folder = fs::symlink_status(root, ec).type() == fs::file_type::not_found;
  if (!no_folder && !store::local::CheckRoot(root).ok()) return missing;
  std::set<std::string> present;  // lower case
  if (!no_folder) {
    for (const auto& entry : fs::directory_iterator(root, ec)) {
      present.insert(ToLower(entry.path().filename().string()));
    }
  }
  for (const ServerSpec& s : m.servers) {
    if (!present.count(ToLower(s.name))) missing.push_back(&s);
  }
  return missing;
}

std::string StoreInitCommand(const Manifest& m) {
  // Quoted for a POSIX shell when the path needs it.
  const bool plain = m.path.find_first_not_of(
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-") ==
                     std::string::npos;
  std::string path = m.path;
  if (!plain) {
    path = "'";
    for (char c : m.path) path += c == '\'' ? std::string("'\\''") : std::string(1, c);
    path += "'";
  }
  return "xcert store init -f " + path;
}

Result<std::unique_ptr<lock::RunLocker>> OpenRunLocker(const Manifest& m,
                                                       const std::string& run_id) {
  if (m.lock.type != LockType::kPostgres) return std::unique_ptr<lock::RunLocker>();
  Result<lock::Dsn> dsn = lock::Dsn::FromEnv(m.lock.dsn_env);
  if (!dsn.ok()) {
    return FailedPrecondition(m.source.Find("/lock/dsnEnv").ToString() +
                              ": lock: " + dsn.status().message());
  }
  lock::PostgresLockOptions options{*dsn, run_id};
  options.wait = std::chrono::duration_cast<std::chrono::milliseconds>(m.lock.wait);
  return std::unique_ptr<lock::RunLocker>(new lock::PostgresLocker(std::move(options)));
}

Result<StoreBackend> OpenStores(const Manifest& manifest, const Clock& clock) {
  switch (manifest.store.type) {
    case StoreType::kLocal: return OpenLocal(manifest, clock);
    case StoreType::kExchange: return OpenExchange(manifest, clock);
    case StoreType::kSnapshot: return OpenSnapshot(manifest);
  }
  return Internal("unknown store type");
}

Result<StoreLock> LockStores(const StoreBackend& backend, TimePoint now) {
  if (backend.read_only) {
    return FailedPrecondition(backend.description +
                              " is read-only (an offline snapshot); review the plan as a "
                              "script with xcert plan --format ps1 -o plan.ps1 and run it on "
                              "the server");
  }
  XCERT_RETURN_IF_ERROR(backend.lockable);
  XCERT_RETURN_IF_ERROR(CreateDirsDurable(backend.state_dir));
  return StoreLock::Acquire(backend.state_dir, now);
}

Result<IssuerBackend> OpenIssuerBackend(const Manifest& manifest, const ActualState& actual,
                                        TimePoint now, Diagnostics* diagnostics) {
  issuers::OpenedIssuers opened = issuers::OpenIssuers(manifest, actual, now, diagnostics);
  IssuerBackend b;
  b.facts = std::move(opened.facts);
  b.issuers = std::move(opened.issuers);
  return b;
}

void PrepareIssuers(IssuerBackend& backend, const std::set<std::string>& names,
                    Diagnostics* diagnostics) {
  if (backend.issuers) issuers::PrepareToIssue(*backend.issuers, names, diagnostics);
}

std::unique_ptr<BackupSink> OpenBackups(const Manifest& manifest) {
  if (manifest.backup.path.empty()) return nullptr;
  return std::make_unique<store::BackupDir>(manifest.Resolve(manifest.backup.path));
}

Result<std::string> RenderPlanPs1(const Plan& plan, const Manifest& manifest) {
  return exchange::RenderPs1(plan, manifest);
}

Result<std::string> ManifestDigest(const std::string& path) {
  XCERT_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  return ToLower(x509::Sha256Hex(bytes));
}

}  // namespace xcert::cli
