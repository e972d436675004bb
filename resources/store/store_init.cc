#include "resources/store/store_init.h"

#include "engine/apply/lock.h"
#include "resources/store/local_store.h"
#include "resources/store/setup_certificates.h"

namespace xcert::store {

Result<StoreInitResult> InitServerStore(const StoreInitRequest& request, const Clock& clock) {
  XCERT_RETURN_IF_ERROR(CheckSetupIdentity(request.identity, request.domain));
  XCERT_RETURN_IF_ERROR(LocalStore::EnsureRoot(request.store));
  XCERT_ASSIGN_OR_RETURN(StoreLock lock, StoreLock::Acquire(request.store, clock.Now()));
  StoreInitResult result;
  result.server_dir = request.store / request.identity.name;
  LocalStore store(request.store, request.identity.name, clock);
  // Missing: create it. A folder whose name differs only in case (the same
  // Exchange server) or a link is refused; an existing folder is read.
  const Status folder = local::CheckServerFolderExists(result.server_dir, request.identity.name);
  if (!folder.ok() && folder.code() != Code::kNotFound) return folder;
  if (!folder.ok()) {
    // Keys and signatures first: nothing is written until all of it exists.
    XCERT_ASSIGN_OR_RETURN(ServerSeed seed,
                           MakeSetupSeed(request.identity, request.domain, clock.Now()));
    XCERT_RETURN_IF_ERROR(LocalStore::CreateServer(request.store, seed));
    result.created = true;
  }
  XCERT_ASSIGN_OR_RETURN(result.state, store.List());
  return result;
}

}  // namespace xcert::store
