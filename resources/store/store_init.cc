#include "resources/store/store_init.h"

#include "engine/apply/lock.h"
#include "engine/util/parallel.h"
#include "resources/store/local_store.h"
#include "resources/store/setup_certificates.h"

namespace xcert::store {

namespace {

// Creates one server unless it exists; the caller holds the store's lock.
Result<StoreInitResult> InitLocked(const fs::path& root, const ServerIdentity& identity,
                                   const std::string& domain, const Clock& clock) {
  XCERT_RETURN_IF_ERROR(CheckSetupIdentity(identity, domain));
  StoreInitResult result;
  result.server_dir = root / identity.name;
  LocalStore store(root, identity.name, clock);
  // Missing: create it. A folder whose name differs only in case (the same
  // Exchange server) or a link is refused; an existing folder is read.
  const Status folder = local::CheckServerFolderExists(result.server_dir, identity.name);
  if (!folder.ok() && folder.code() != Code::kNotFound) return folder;
  if (!folder.ok()) {
    // Keys and signatures first: nothing is written until all of it exists.
    XCERT_ASSIGN_OR_RETURN(ServerSeed seed, MakeSetupSeed(identity, domain, clock.Now()));
    XCERT_RETURN_IF_ERROR(LocalStore::CreateServer(root, seed));
    result.created = true;
  }
  XCERT_ASSIGN_OR_RETURN(result.state, store.List());
  return result;
}

}  // namespace

Result<StoreInitResult> InitServerStore(const StoreInitRequest& request, const Clock& clock) {
  XCERT_RETURN_IF_ERROR(CheckSetupIdentity(request.identity, request.domain));
  XCERT_ASSIGN_OR_RETURN(
      std::vector<Result<StoreInitResult>> results,
      InitServerStores(request.store, {request.identity}, request.domain, clock, 1));
  return std::move(results.front());
}

Result<std::vector<Result<StoreInitResult>>> InitServerStores(
    const fs::path& store, const std::vector<ServerIdentity>& identities, const std::string& domain,
    const Clock& clock, int parallelism) {
  XCERT_RETURN_IF_ERROR(LocalStore::EnsureRoot(store));
  XCERT_ASSIGN_OR_RETURN(StoreLock lock, StoreLock::Acquire(store, clock.Now()));
  std::vector<Result<StoreInitResult>> results(identities.size(), Internal("not run"));
  ParallelFor(identities.size(), parallelism,
              [&](size_t i) { results[i] = InitLocked(store, identities[i], domain, clock); });
  return results;
}

}  // namespace xcert::store
