#include "resources/store/chain_status.h"

#include "resources/x509/parse.h"

namespace xcert::store {

ChainStatusCache::ChainStatusCache(TimePoint at) : at_(at), no_chain_({}, {}) {}

std::shared_ptr<const x509::ChainVerifier> ChainStatusCache::VerifierOf(
    const std::vector<std::string>& chain_der) {
  std::string key;
  for (const std::string& der : chain_der) {
    key += std::to_string(der.size());
    key += ':';
    key += der;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = verifiers_.find(key); it != verifiers_.end()) return it->second;
  }
  std::vector<std::string> intermediates, anchors;
  for (const std::string& der : chain_der) {
    Result<CertificateInfo> info = x509::ParseCertificate(der);
    // An unreadable chain certificate is passed on: VerifyChain names it.
    (info.ok() && info->self_signed ? anchors : intermediates).push_back(der);
  }
  auto verifier = std::make_shared<const x509::ChainVerifier>(intermediates, anchors);
  std::lock_guard<std::mutex> lock(mutex_);
  return verifiers_.emplace(std::move(key), std::move(verifier)).first->second;
}

x509::ChainResult ChainStatusCache::StatusOf(const CertificateInfo& c,
                                             const std::vector<std::string>& chain_der) {
  if (c.pending_request) return {CertStatus::kPendingRequest, ""};
  if (c.der.empty()) return {c.status, ""};
  if (chain_der.empty()) return no_chain_.Verify(c.der, at_);
  return VerifierOf(chain_der)->Verify(c.der, at_);
}

size_t ChainStatusCache::distinct_chains() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return verifiers_.size();
}

RootCaType RootCaTypeOf(const CertificateInfo& c, CertStatus status) {
  if (c.pending_request) return RootCaType::kUnknown;
  return c.self_signed && status == CertStatus::kValid ? RootCaType::kNone : RootCaType::kUnknown;
}

}  // namespace xcert::store
