#include "resources/store/chain_status.h"

#include "resources/x509/parse.h"

namespace xcert::store {

std::shared_ptr<const ChainStatusCache::Split> ChainStatusCache::SplitOf(
    const std::vector<std::string>& chain_der) {
  std::string key;
  for (const std::string& der : chain_der) {
    key += std::to_string(der.size());
    key += ':';
    key += der;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = splits_.find(key); it != splits_.end()) return it->second;
  }
  auto split = std::make_shared<Split>();
  for (const std::string& der : chain_der) {
    Result<CertificateInfo> info = x509::ParseCertificate(der);
    // An unreadable chain certificate is passed on: VerifyChain names it.
    (info.ok() && info->self_signed ? split->anchors : split->intermediates).push_back(der);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  return splits_.emplace(std::move(key), std::move(split)).first->second;
}

x509::ChainResult ChainStatusCache::StatusOf(const CertificateInfo& c,
                                             const std::vector<std::string>& chain_der) {
  if (c.pending_request) return {CertStatus::kPendingRequest, ""};
  if (c.der.empty()) return {c.status, ""};
  if (chain_der.empty()) return x509::VerifyChain(c.der, {}, {}, at_);
  std::shared_ptr<const Split> split = SplitOf(chain_der);
  return x509::VerifyChain(c.der, split->intermediates, split->anchors, at_);
}

size_t ChainStatusCache::distinct_chains() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return splits_.size();
}

RootCaType RootCaTypeOf(const CertificateInfo& c, CertStatus status) {
  if (c.pending_request) return RootCaType::kUnknown;
  return c.self_signed && status == CertStatus::kValid ? RootCaType::kNone : RootCaType::kUnknown;
}

}  // namespace xcert::store
