// An in-memory Store for tests and dry runs: the same rules and behaviour as
// the local store (the shared contract suite runs against both), nothing on
// disk. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "engine/apply/executor.h"
#include "resources/store/store_base.h"

namespace xcert::store {

class MemoryStore : public StoreBase {
 public:
  // A server holding what `seed` holds. `clock` must outlive the store.
  explicit MemoryStore(ServerSeed seed, const Clock& clock = DefaultClock());

  Result<ServerState> List() override;

  // Test hooks: replace the bindings or record problems, as a damaged store
  // would report them.
  void SetBindings(const Bindings& bindings);
  void AddProblem(const std::string& problem);

 protected:
  Result<std::optional<CertificateInfo>> Find(const std::string& thumbprint) override;
  Result<ServerIdentity> ReadIdentity() override;
  Result<Bindings> ReadBindings() override;
  Status WriteBindings(const Bindings& bindings) override;
  Result<std::optional<StoredCertificate>> ReadCertificate(const std::string& thumbprint) override;
  Result<std::optional<std::pair<std::string, StoredRequest>>> FindRequestForKey(
      const std::string& public_key_sha1) override;
  Status AddCertificate(const std::string& thumbprint, const StoredCertificate& c) override;
  Status AddRequest(const std::string& id, const StoredRequest& r) override;
  Status DeleteCertificate(const std::string& thumbprint) override;
  Status DeleteRequest(const std::string& id) override;

 private:
  template <typename T>
  struct Item {
    T stored;
    CertificateInfo info;  // without services
  };
  CertificateInfo WithServices(const CertificateInfo& info) const;  // REQUIRES: mutex_ held

  mutable std::mutex mutex_;
  ServerIdentity identity_;
  Bindings bindings_;
  std::vector<std::string> problems_;
  std::map<std::string, Item<StoredCertificate>> certificates_;
  std::map<std::string, Item<StoredRequest>> requests_;
};

// In-memory stores by server name.
class MemoryStoreSet final : public StoreSet {
 public:
  explicit MemoryStoreSet(const Clock& clock = DefaultClock()) : clock_(clock) {}

  // Adds (or replaces) the store of seed.identity.name.
  MemoryStore& Add(ServerSeed seed);
  Store* Find(const std::string& server) override;

 private:
  const Clock& clock_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<MemoryStore>> stores_;
};

}  // namespace xcert::store
