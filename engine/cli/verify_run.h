// What `xcert verify` and `xcert drift --probe` share: the manifest's trust
// anchors, the endpoints of the chosen servers, probed and checked.
#pragma once

#include <chrono>
#include <set>
#include <string>

#include "engine/model/manifest.h"
#include "engine/model/server_state.h"
#include "engine/plan/desired.h"
#include "engine/plan/diff.h"
#include "engine/util/status.h"
#include "resources/probe/verify.h"

namespace xcert::cli {

struct VerifyOptions {
  std::set<std::string> servers;             // empty: every server of the manifest
  std::chrono::milliseconds timeout{10000};  // per probe
  size_t concurrency = 64;                   // probes in flight
};

// The trust anchors verify accepts: the manifest's `trust:` bundle (resolved
// against the manifest's folder), else the system's. The error names the file.
Result<std::vector<std::string>> ManifestTrustAnchors(const Manifest& manifest);

// Probes and checks every endpoint of the chosen servers (in manifest
// order). A server whose store could not be read completely is an entry of
// `errors`, not probed. Fails only when the trust anchors cannot be loaded.
Result<probe::VerifyReport> VerifyEndpoints(const Manifest& manifest, const ActualState& actual,
                                            const VerifyOptions& options, TimePoint now);

// drift --probe: one drift-only change with a ServedMismatch reason per
// server and service whose endpoints serve another certificate than the
// store binds ("IIS on MailServer21 serves 6BEC23A0… but the store binds
// 800BFCE9…"), attached to the manifest certificate that asks for the
// service on that server (its line is the reason's location). Endpoints
// that could not be probed are not drift: they are returned as warnings.
std::vector<std::string> AddServedMismatches(const probe::VerifyReport& report,
                                             const Desired& desired, DiffResult* diff);

}  // namespace xcert::cli
