// Exchange-like Status for stored certificates (reference/exchange.md §1.3),
// as `xcert show` reports it: x509::VerifyChain of the leaf with the chain
// stored beside it (chain.pem), whose self-signed certificates are the trust
// anchors and the others intermediates. A self-signed leaf is Valid (RootCAType
// None) while it is within its dates; a chain without a root is Untrusted.
//
// Chains are split and parsed once per distinct chain content
// (x509::ChainVerifier), so 10,000 leaves issued by one CA parse that CA
// once, not once per leaf. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/model/certificate.h"
#include "engine/util/time.h"
#include "resources/x509/chain.h"

namespace xcert::store {

class ChainStatusCache {
 public:
  explicit ChainStatusCache(TimePoint at);

  // The status of `certificate` (from a store, with its `chain_der`). A
  // pending request stays PendingRequest; a certificate whose DER is not
  // known keeps its status.
  x509::ChainResult StatusOf(const CertificateInfo& certificate,
                             const std::vector<std::string>& chain_der);

  // How many distinct chains were split (for tests and measurements).
  size_t distinct_chains() const;

 private:
  std::shared_ptr<const x509::ChainVerifier> VerifierOf(const std::vector<std::string>& chain_der);

  TimePoint at_;
  const x509::ChainVerifier no_chain_;  // self-signed leaves without chain.pem
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const x509::ChainVerifier>> verifiers_;
};

// RootCAType as show reports it: None for a self-signed leaf, Unknown
// otherwise (the physical root store is a Windows notion).
RootCaType RootCaTypeOf(const CertificateInfo& certificate, CertStatus status);

}  // namespace xcert::store
