#include "resources/store/memory_store.h"

#include "resources/x509/digest.h"

namespace xcert::store {

MemoryStore::MemoryStore(ServerSeed seed, const Clock& clock)
    : StoreBase(seed.identity.name, clock),
      identity_(std::move(seed.identity)),
      bindings_(std::move(seed.bindings)) {
  for (StoredCertificate& c : seed.certificates) {
    const std::string t = x509::Sha1Hex(c.der);
    if (Status s = AddCertificate(t, c); !s.ok())
      problems_.push_back("seed " + t + ": " + s.message());
  }
  for (StoredRequest& r : seed.requests) {
    const std::string id = RequestId(r.csr_der);
    if (Status s = AddRequest(id, r); !s.ok())
      problems_.push_back("seed " + id + ": " + s.message());
  }
}

CertificateInfo MemoryStore::WithServices(const CertificateInfo& info) const {
  CertificateInfo out = info;
  ApplyBindings(bindings_, server(), &out);
  return out;
}

Result<ServerState> MemoryStore::List() {
  std::lock_guard<std::mutex> lock(mutex_);
  ServerState state;
  state.server = server();
  state.identity = identity_;
  state.bindings = bindings_;
  state.problems = problems_;
  for (const auto& [t, item] : certificates_) state.certificates.push_back(WithServices(item.info));
  for (const auto& [id, item] : requests_) state.certificates.push_back(WithServices(item.info));
  std::sort(state.certificates.begin(), state.certificates.end(),
            [](const CertificateInfo& a, const CertificateInfo& b) {
              return a.thumbprint < b.thumbprint;
            });
  return state;
}

void MemoryStore::SetBindings(const Bindings& bindings) {
  std::lock_guard<std::mutex> lock(mutex_);
  bindings_ = bindings;
}

void MemoryStore::AddProblem(const std::string& problem) {
  std::lock_guard<std::mutex> lock(mutex_);
  problems_.push_back(problem);
}

Result<std::optional<CertificateInfo>> MemoryStore::Find(const std::string& thumbprint) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = certificates_.find(thumbprint); it != certificates_.end()) {
    return std::optional<CertificateInfo>(WithServices(it->second.info));
  }
  if (auto it = requests_.find(thumbprint); it != requests_.end()) {
    return std::optional<CertificateInfo>(WithServices(it->second.info));
  }
  return std::optional<CertificateInfo>();
}

Result<ServerIdentity> MemoryStore::ReadIdentity() {
  std::lock_guard<std::mutex> lock(mutex_);
  return identity_;
}

Result<Bindings> MemoryStore::ReadBindings() {
  std::lock_guard<std::mutex> lock(mutex_);
  return bindings_;
}

Status MemoryStore::WriteBindings(const Bindings& bindings) {
  std::lock_guard<std::mutex> lock(mutex_);
  bindings_ = bindings;
  return Status::Ok();
}

Result<std::optional<StoredCertificate>> MemoryStore::ReadCertificate(
    const std::string& thumbprint) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = certificates_.find(thumbprint);
  if (it == certificates_.end()) return std::optional<StoredCertificate>();
  return std::optional<StoredCertificate>(it->second.stored);
}

Result<std::optional<std::pair<std::string, StoredRequest>>> MemoryStore::FindRequestForKey(
    const std::string& public_key_sha1) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [id, item] : requests_) {
    if (item.info.public_key_sha1 == public_key_sha1) {
      return std::optional<std::pair<std::string, StoredRequest>>(std::pair(id, item.stored));
    }
  }
  return std::optional<std::pair<std::string, StoredRequest>>();
}

Status MemoryStore::AddCertificate(const std::string& thumbprint, const StoredCertificate& c) {
  XCERT_ASSIGN_OR_RETURN(CertificateInfo info, DescribeCertificate(c.der, c.key.valid(), &c.meta));
  std::lock_guard<std::mutex> lock(mutex_);
  if (!certificates_.emplace(thumbprint, Item<StoredCertificate>{c, std::move(info)}).second) {
    return AlreadyExists(thumbprint + " is already in the store of " + server());
  }
  return Status::Ok();
}

Status MemoryStore::AddRequest(const std::string& id, const StoredRequest& r) {
  XCERT_ASSIGN_OR_RETURN(CertificateInfo info, DescribeRequest(r.csr_der, r.meta));
  std::lock_guard<std::mutex> lock(mutex_);
  if (!requests_.emplace(id, Item<StoredRequest>{r, std::move(info)}).second) {
    return AlreadyExists("request " + id + " is already in the store of " + server());
  }
  return Status::Ok();
}

Status MemoryStore::DeleteCertificate(const std::string& thumbprint) {
  std::lock_guard<std::mutex> lock(mutex_);
  certificates_.erase(thumbprint);
  return Status::Ok();
}

Status MemoryStore::DeleteRequest(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  requests_.erase(id);
  return Status::Ok();
}

MemoryStore& MemoryStoreSet::Add(ServerSeed seed) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string name = seed.identity.name;
  auto& slot = stores_[name];
  slot = std::make_unique<MemoryStore>(std::move(seed), clock_);
  return *slot;
}

Store* MemoryStoreSet::Find(const std::string& server) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = stores_.find(server);
  return it == stores_.end() ? nullptr : it->second.get();
}

}  // namespace xcert::store
