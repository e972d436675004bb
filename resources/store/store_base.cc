#include "resources/store/store_base.h"

#include "engine/util/strings.h"
#include "resources/store/import_data.h"
#include "resources/store/store_rules.h"
#include "resources/x509/digest.h"
#include "resources/x509/parse.h"
#include "resources/x509/pkcs12.h"

namespace xcert::store {

const Clock& DefaultClock() {
  static const SystemClock clock;
  return clock;
}

Result<std::optional<CertificateInfo>> StoreBase::Get(const std::string& thumbprint) {
  return Find(NormalizeThumbprint(thumbprint));
}

Result<CertificateInfo> StoreBase::FindExisting(const std::string& thumbprint) {
  XCERT_ASSIGN_OR_RETURN(std::optional<CertificateInfo> found, Find(thumbprint));
  if (!found) return CertificateNotFound(server_, thumbprint);
  return std::move(*found);
}

Result<CreateResult> StoreBase::Create(const CreateRequest& request) {
  XCERT_RETURN_IF_ERROR(CheckCreate(server_, request));
  return request.pending_request ? CreatePending(request) : CreateSelfSigned(request);
}

Result<CreateResult> StoreBase::CreateSelfSigned(const CreateRequest& request) {
  const std::string context = "New certificate " + Quote(request.subject) + " on " + server_;
  // Key generation and signing take the time; they need no lock.
  Result<StoredCertificate> made = MakeSelfSigned(request, clock_.Now());
  if (!made.ok()) return made.status().WithContext(context);
  const std::string thumbprint = x509::Sha1Hex(made->der);
  std::lock_guard<std::mutex> lock(mutation_mutex_);
  XCERT_ASSIGN_OR_RETURN(std::optional<CertificateInfo> existing, Find(thumbprint));
  if (existing)
    return Internal(context + ": a fresh key gave an existing thumbprint " + thumbprint);
  XCERT_RETURN_IF_ERROR(AddCertificate(thumbprint, *made));
  XCERT_ASSIGN_OR_RETURN(CertificateInfo info, FindExisting(thumbprint));
  return CreateResult{std::move(info), ""};
}

Result<CreateResult> StoreBase::CreatePending(const CreateRequest& request) {
  const std::string context = "New request " + Quote(request.subject) + " on " + server_;
  Result<StoredRequest> made = MakeRequest(request, clock_.Now());
  if (!made.ok()) return made.status().WithContext(context);
  const std::string id = RequestId(made->csr_der);
  std::lock_guard<std::mutex> lock(mutation_mutex_);
  XCERT_RETURN_IF_ERROR(AddRequest(id, *made));
  XCERT_ASSIGN_OR_RETURN(CertificateInfo info, FindExisting(id));
  std::string csr_pem = info.csr_pem;
  return CreateResult{std::move(info), std::move(csr_pem)};
}

Result<CertificateInfo> StoreBase::Import(const ImportRequest& request) {
  const std::string context = "Import on " + server_;
  Result<ImportData> data = DecodeImportData(request.data, request.password);
  if (!data.ok()) return data.status().WithContext(context);
  Result<CertificateInfo> leaf = x509::ParseCertificate(data->der);
  if (!leaf.ok()) return leaf.status().WithContext(context);

  StoredCertificate stored;
  stored.der = std::move(data->der);
  stored.key = std::move(data->key);
  stored.chain_der = std::move(data->chain_der);
  stored.meta = {data->friendly_name, request.exportable, std::string(kCreatedByImport),
                 clock_.Now()};

  std::lock_guard<std::mutex> lock(mutation_mutex_);
  XCERT_ASSIGN_OR_RETURN(std::optional<CertificateInfo> existing, Find(leaf->thumbprint));
  XCERT_RETURN_IF_ERROR(CheckImport(server_, leaf->thumbprint, existing.has_value()));
  std::optional<std::string> completed_request;
  if (!stored.key.valid()) {
    // A CA's answer: it completes the pending request holding its key
    // (Import-ExchangeCertificate's TryAcceptPkcs7). The key's exportability
    // was chosen when the request was made.
    XCERT_ASSIGN_OR_RETURN(auto pending, FindRequestForKey(leaf->public_key_sha1));
    if (!pending) return NoKeyForImport(server_, *leaf);
    stored.key = std::move(pending->second.key);
    stored.meta.exportable = pending->second.meta.exportable;
    if (stored.meta.friendly_name.empty())
      stored.meta.friendly_name = pending->second.meta.friendly_name;
    stored.meta.created_by = kCreatedByCompletion;
    completed_request = pending->first;
  }
  if (!request.friendly_name.empty()) stored.meta.friendly_name = request.friendly_name;
  XCERT_RETURN_IF_ERROR(CheckFriendlyName("Import of " + leaf->thumbprint + " on " + server_,
                                          stored.meta.friendly_name));
  // Certificate first, then the request: a crash in between leaves the key
  // in both places (List hides a request its certificate completed), never
  // in neither.
  XCERT_RETURN_IF_ERROR(AddCertificate(leaf->thumbprint, stored));
  if (completed_request) XCERT_RETURN_IF_ERROR(DeleteRequest(*completed_request));
  return FindExisting(leaf->thumbprint);
}

Status StoreBase::Enable(const std::string& thumbprint, ServiceSet services,
                         const EnableOptions& options) {
  const std::string t = NormalizeThumbprint(thumbprint);
  std::lock_guard<std::mutex> lock(mutation_mutex_);
  XCERT_ASSIGN_OR_RETURN(CertificateInfo certificate, FindExisting(t));
  XCERT_ASSIGN_OR_RETURN(ServerIdentity identity, ReadIdentity());
  XCERT_RETURN_IF_ERROR(CheckEnable(server_, identity, certificate, services, clock_.Now()));
  XCERT_ASSIGN_OR_RETURN(Bindings bindings, ReadBindings());
  const Bindings updated = ApplyEnable(bindings, t, services, options);
  if (updated == bindings) return Status::Ok();
  return WriteBindings(updated);
}

Result<std::string> StoreBase::Export(const std::string& thumbprint, const std::string& password) {
  const std::string t = NormalizeThumbprint(thumbprint);
  XCERT_ASSIGN_OR_RETURN(CertificateInfo certificate, FindExisting(t));
  XCERT_RETURN_IF_ERROR(CheckExport(server_, certificate, password));
  XCERT_ASSIGN_OR_RETURN(std::optional<StoredCertificate> stored, ReadCertificate(t));
  if (!stored) return CertificateNotFound(server_, t);
  if (!stored->key.valid()) {  // the key went away since Find
    certificate.has_private_key = false;
    return CheckExport(server_, certificate, password);
  }
  Result<std::string> pfx = x509::WritePkcs12(stored->key, stored->der, stored->chain_der,
                                              stored->meta.friendly_name, password);
  if (!pfx.ok()) return pfx.status().WithContext("Export of " + t + " on " + server_);
  return pfx;
}

Status StoreBase::Remove(const std::string& thumbprint) {
  const std::string t = NormalizeThumbprint(thumbprint);
  std::lock_guard<std::mutex> lock(mutation_mutex_);
  XCERT_ASSIGN_OR_RETURN(CertificateInfo certificate, FindExisting(t));
  if (certificate.pending_request) return DeleteRequest(t);
  XCERT_ASSIGN_OR_RETURN(Bindings bindings, ReadBindings());
  XCERT_RETURN_IF_ERROR(CheckRemove(server_, bindings, t));
  // The certificate goes first: a crash before the bindings are rewritten
  // leaves an SMTP entry for a missing certificate, which readers ignore.
  XCERT_RETURN_IF_ERROR(DeleteCertificate(t));
  const Bindings updated = WithoutCertificate(bindings, t);
  if (updated == bindings) return Status::Ok();
  return WriteBindings(updated);
}

}  // namespace xcert::store
