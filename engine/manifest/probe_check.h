// Semantic checks of what `xcert verify` reads from the manifest: each
// server's `address` and `probe` settings (docs/manifest.md, "servers").
#pragma once

#include "engine/manifest/check_context.h"

namespace xcert::manifest {

// An `address` that is neither an IP address nor a DNS name is an error; a
// probed service that no certificate of the manifest serves on the server,
// and a probed service whose every protocol has no port, are warnings.
void CheckProbes(const CheckContext& c);

}  // namespace xcert::manifest
