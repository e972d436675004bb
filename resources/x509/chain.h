// Chain checks, reported the way Exchange reports Status (reference/exchange.md §1.3).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/model/certificate.h"
#include "engine/util/time.h"

namespace xcert::x509 {

struct ChainResult {
  CertStatus status = CertStatus::kUnknown;
  std::string detail;  // OpenSSL's reason when not Valid
};

// Verifies `leaf_der` with `intermediates_der` against `anchors_der` at time
// `at`, for serverAuth (partial chains are not accepted; an anchor is trusted
// as a whole). Every problem in the chain is considered, as Exchange does:
//   a self-signed leaf not among the anchors   -> Valid (Exchange: RootCAType None)
//   chains to an anchor                         -> Valid
//   expired or not yet valid                    -> DateInvalid
//   does not chain to any anchor                -> Untrusted
//   bad signature, malformed, wrong purpose     -> Invalid
//   does not chain (or is self-signed and not   -> Invalid (Exchange shows an expired
//   an anchor) AND expired or not yet valid        Auth certificate as Invalid)
// Certificates among `intermediates_der`/`anchors_der` that do not parse
// are ignored (the detail says so when the result is not Valid).
ChainResult VerifyChain(std::string_view leaf_der,
                        const std::vector<std::string>& intermediates_der,
                        const std::vector<std::string>& anchors_der, TimePoint at);

// VerifyChain with the intermediates and anchors parsed once, for verifying
// many leaves against the same chain (a fleet's certificates issued by one
// CA): Verify(leaf, at) == VerifyChain(leaf, intermediates, anchors, at), but
// only the leaf is decoded. Parsing a certificate into an OpenSSL object is
// the expensive part of verification, so re-parsing the CA for every leaf
// doubled the cost of `xcert show`. Verify is thread-safe.
class ChainVerifier {
 public:
  ChainVerifier(const std::vector<std::string>& intermediates_der,
                const std::vector<std::string>& anchors_der);
  ~ChainVerifier();
  ChainVerifier(const ChainVerifier&) = delete;
  ChainVerifier& operator=(const ChainVerifier&) = delete;

  ChainResult Verify(std::string_view leaf_der, TimePoint at) const;

 private:
  struct Parsed;
  std::unique_ptr<Parsed> parsed_;
};

}  // namespace xcert::x509
