// `xcert store init`: creates a server in a local store with what Exchange
// setup creates for its roles (setup_certificates.h). The store folder is
// created when missing; the server appears complete or not at all; a server
// that exists already is left exactly as it is.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/model/server_state.h"
#include "engine/util/file_util.h"
#include "engine/util/status.h"
#include "engine/util/time.h"

namespace xcert::store {

struct StoreInitRequest {
  fs::path store;           // the local store folder
  ServerIdentity identity;  // name, fqdn, roles, version
  std::string domain;       // optional: adds <domain> and autodiscover.<domain>
};

struct StoreInitResult {
  bool created = false;  // false: the server existed and nothing changed
  fs::path server_dir;
  // The server as it is now (what was created, or what was there).
  ServerState state;
};

// Validates the request, makes `store` a local store, takes its writer lock
// (Unavailable naming the holder when another writer has it) and creates the
// server unless it exists.
Result<StoreInitResult> InitServerStore(const StoreInitRequest& request, const Clock& clock);

// The same for many servers of one store (`xcert store init -f`): makes
// `store` a local store, takes its writer lock once and creates every server
// of `identities` it lacks, up to `parallelism` at a time (0: one per
// hardware thread; key generation dominates). One result per identity, in
// order: a server that cannot be created does not stop the others. An error
// when the store cannot be made or locked.
Result<std::vector<Result<StoreInitResult>>> InitServerStores(
    const fs::path& store, const std::vector<ServerIdentity>& identities, const std::string& domain,
    const Clock& clock, int parallelism);

}  // namespace xcert::store
