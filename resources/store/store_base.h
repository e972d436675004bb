// The Store operations written once, over a small set of persistence
// primitives that each implementation (in-memory, local directory) supplies.
// StoreBase owns the order of every operation and applies the shared rules
// (store_rules.h); implementations only keep data.
//
// Concurrency: mutations on one store are serialised by a per-store mutex,
// but the expensive parts run outside it: key generation and signing
// (Create), decoding and PKCS#12 decryption (Import) and PKCS#12 encryption
// (Export). Reads (List/Get) take no StoreBase lock; implementations make
// them safe against concurrent mutations.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "engine/apply/store.h"
#include "resources/store/material.h"

namespace xcert::store {

// The system clock, for stores built without one.
const Clock& DefaultClock();

class StoreBase : public Store {
 public:
  const std::string& server() const final { return server_; }

  // Case-insensitive; the "AB CD …" form is accepted too.
  Result<std::optional<CertificateInfo>> Get(const std::string& thumbprint) final;
  Result<CreateResult> Create(const CreateRequest& request) final;
  Result<CertificateInfo> Import(const ImportRequest& request) final;
  Status Enable(const std::string& thumbprint, ServiceSet services,
                const EnableOptions& options) final;
  Result<std::string> Export(const std::string& thumbprint, const std::string& password) final;
  Status Remove(const std::string& thumbprint) final;

 protected:
  StoreBase(std::string server, const Clock& clock) : server_(std::move(server)), clock_(clock) {}

  const Clock& clock() const { return clock_; }

  // --- persistence primitives ---
  // Thumbprints given to them are normalised (upper case). Mutating
  // primitives are only called with the store's mutation lock held.

  // The certificate or pending request `thumbprint`, with services set from
  // the current bindings; nullopt if absent; an error if it cannot be read.
  virtual Result<std::optional<CertificateInfo>> Find(const std::string& thumbprint) = 0;
  virtual Result<ServerIdentity> ReadIdentity() = 0;
  virtual Result<Bindings> ReadBindings() = 0;
  virtual Status WriteBindings(const Bindings& bindings) = 0;
  // A certificate with its key and chain; nullopt if absent.
  virtual Result<std::optional<StoredCertificate>> ReadCertificate(
      const std::string& thumbprint) = 0;
  // The pending request whose key has this public-key SHA-1, with its id.
  virtual Result<std::optional<std::pair<std::string, StoredRequest>>> FindRequestForKey(
      const std::string& public_key_sha1) = 0;
  // Adds atomically: after a crash the item is either complete or absent.
  virtual Status AddCertificate(const std::string& thumbprint, const StoredCertificate& c) = 0;
  virtual Status AddRequest(const std::string& id, const StoredRequest& r) = 0;
  virtual Status DeleteCertificate(const std::string& thumbprint) = 0;
  virtual Status DeleteRequest(const std::string& id) = 0;

 private:
  // Looks `thumbprint` up, NotFound when absent.
  Result<CertificateInfo> FindExisting(const std::string& thumbprint);
  Result<CreateResult> CreateSelfSigned(const CreateRequest& request);
  Result<CreateResult> CreatePending(const CreateRequest& request);

  std::string server_;
  const Clock& clock_;
  std::mutex mutation_mutex_;
};

}  // namespace xcert::store
