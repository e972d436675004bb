// Chain checks, reported the way Exchange reports Status (reference/exchange.md §1.3).
#pragma once

#include <string>
#include <vector>

#include "engine/model/certificate.h"
#include "engine/util/time.h"

namespace xcert::x509 {

struct ChainResult {
  CertStatus status = CertStatus::kUnknown;
  std::string detail;  // OpenSSL's reason when not Valid
};

// Verifies `leaf_der` with `intermediates_der` against `anchors_der` at time
// `at`, for serverAuth:
//   a self-signed leaf not among the anchors   -> Valid (Exchange: RootCAType None)
//   chains to an anchor                         -> Valid
//   expired or not yet valid                    -> DateInvalid
//   does not chain to any anchor                -> Untrusted
//   bad signature, malformed, wrong purpose     -> Invalid
ChainResult VerifyChain(std::string_view leaf_der, const std::vector<std::string>& intermediates_der,
                        const std::vector<std::string>& anchors_der, TimePoint at);

}  // namespace xcert::x509
