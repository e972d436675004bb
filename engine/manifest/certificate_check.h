// Semantic checks of each certificate entry: references to issuers and
// servers, key spec, durations, placeholders, DNS names and subject (after
// expanding placeholders for each server), rules that depend on the issuer
// (exportable keys for multi-server certificates, one certificate per file
// issuer), and warnings that matter to an Exchange admin (self-signed on
// client-facing services, CN not among the DNS names, ECDSA, autodiscover).
#pragma once

#include "engine/manifest/check_context.h"

namespace xcert::manifest {

void CheckCertificates(const CheckContext& c);

}  // namespace xcert::manifest
