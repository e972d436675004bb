// Semantic checks: the rules of a manifest that a JSON schema cannot
// express. Each reports at the position of the value that breaks the rule and
// names the thing ("certificate 'mail' names unknown issuer 'corp'; known
// issuers: 'corp-ca', 'self'"). Values that already have an error (from the
// YAML, typing or schema stage) are not reported again.
//
//   semantic_check.cc     organization, store, backup, issuers, servers, names
//   certificate_check.cc  references, keys, durations, placeholders, names, warnings
//   service_check.cc      services per role and version, one IIS/IMAP/POP per server
//   probe_check.cc        servers' address and probe settings (xcert verify)
#pragma once

#include <nlohmann/json.hpp>

#include "engine/manifest/reporter.h"
#include "engine/model/manifest.h"

namespace xcert::manifest {

// Runs every semantic check of `manifest` (built from `doc`).
void CheckSemantics(const Manifest& manifest, const nlohmann::json& doc, Reporter& reporter);

}  // namespace xcert::manifest
