// Semantic checks of each certificate entry: references to issuers and
// servers, key spec, durations, placeholders, DNS names and subject (after
// expanding placeholders for each server), rules that depend on the issuer
// (exportable keys for multi-server certificates, one certificate per file
// issuer), and warnings that matter to an Exchange admin (self-signed on
// client-facing services, CN not among the DNS names, ECDSA, autodiscover).
#pragma once

#include "engine/manifest/check_context.h"
#include "engine/util/time.h"

namespace xcert::manifest {

// The longest validity a certificate may ask for: 100 years of 365 days.
// Far below what X.509 can write (the year 9999) and what the stores read
// back, and far above what any client trusts.
inline constexpr Seconds kMaxValidity{100LL * 365 * 86400};

void CheckCertificates(const CheckContext& c);

}  // namespace xcert::manifest
