#include "engine/cli/backends.h"

#include "engine/util/file_util.h"
#include "engine/util/strings.h"
#include "resources/issuers/open_issuers.h"
#include "resources/store/backup_dir.h"
#include "resources/store/local_store.h"
#include "resources/x509/digest.h"

namespace xcert::cli {

namespace {

Result<StoreBackend> OpenLocal(const Manifest& m) {
  if (m.store.path.empty()) {
    return InvalidArgument(m.source.Find("/store").ToString() +
                           ": error: a local store needs store.path; add path: ./store");
  }
  const std::string root = m.Resolve(m.store.path);
  StoreBackend b;
  b.stores = std::make_unique<store::LocalStoreSet>(root);
  b.state_dir = root;
  b.description = "local store " + root;
  return b;
}

}  // namespace

Result<StoreBackend> OpenStores(const Manifest& manifest) {
  switch (manifest.store.type) {
    case StoreType::kLocal: return OpenLocal(manifest);
    case StoreType::kExchange:
    case StoreType::kSnapshot: break;
  }
  return FailedPrecondition("store type '" + std::string(StoreTypeName(manifest.store.type)) +
                            "' is not available in this build yet");
}

Result<IssuerBackend> OpenIssuerBackend(const Manifest& manifest, const ActualState& actual, TimePoint now,
                                        Diagnostics* diagnostics) {
  issuers::OpenedIssuers opened = issuers::OpenIssuers(manifest, actual, now, diagnostics);
  IssuerBackend b;
  b.facts = std::move(opened.facts);
  b.issuers = std::move(opened.issuers);
  return b;
}

std::unique_ptr<BackupSink> OpenBackups(const Manifest& manifest) {
  if (manifest.backup.path.empty()) return nullptr;
  return std::make_unique<store::BackupDir>(manifest.Resolve(manifest.backup.path));
}

Result<std::string> RenderPlanPs1(const Plan&, const Manifest&) {
  return FailedPrecondition("--format ps1 is not available in this build yet");
}

Result<std::string> ManifestDigest(const std::string& path) {
  XCERT_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  return ToLower(x509::Sha256Hex(bytes));
}

}  // namespace xcert::cli
