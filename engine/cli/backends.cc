#include "engine/cli/backends.h"

#include "engine/util/file_util.h"
#include "engine/util/strings.h"
#include "resources/x509/digest.h"

namespace xcert::cli {

// The stores and issuers are wired here once resources/store and
// resources/issuers land; until then plan/apply/drift report it clearly.
Result<StoreBackend> OpenStores(const Manifest& manifest) {
  return FailedPrecondition("store type '" + std::string(StoreTypeName(manifest.store.type)) +
                            "' is not available in this build yet");
}

Result<IssuerBackend> OpenIssuerBackend(const Manifest&, const ActualState&, TimePoint, Diagnostics*) {
  return FailedPrecondition("issuers are not available in this build yet");
}

std::unique_ptr<BackupSink> OpenBackups(const Manifest&) { return nullptr; }

Result<std::string> RenderPlanPs1(const Plan&, const Manifest&) {
  return FailedPrecondition("--format ps1 is not available in this build yet");
}

Result<std::string> ManifestDigest(const std::string& path) {
  XCERT_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  return ToLower(x509::Sha256Hex(bytes));
}

}  // namespace xcert::cli
