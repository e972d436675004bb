#include "resources/store/material.h"

#include "resources/x509/builder.h"
#include "resources/x509/digest.h"
#include "resources/x509/parse.h"
#include "resources/x509/pem.h"

namespace xcert::store {

Result<StoredCertificate> MakeSelfSigned(const CreateRequest& request, TimePoint now) {
  XCERT_ASSIGN_OR_RETURN(x509::PrivateKey key, x509::PrivateKey::Generate(request.key));
  x509::CertificateTemplate t;
  t.subject = request.subject;
  t.dns_names = request.dns_names;
  t.not_before = now;
  t.not_after = now + request.validity;
  XCERT_ASSIGN_OR_RETURN(std::string der, x509::SelfSign(t, key));
  StoredCertificate out;
  out.der = std::move(der);
  out.key = std::move(key);
  out.meta = {request.friendly_name, request.key.exportable, std::string(kCreatedByCreate), now};
  return out;
}

Result<StoredRequest> MakeRequest(const CreateRequest& request, TimePoint now) {
  XCERT_ASSIGN_OR_RETURN(x509::PrivateKey key, x509::PrivateKey::Generate(request.key));
  XCERT_ASSIGN_OR_RETURN(std::string csr, x509::CreateCsr(request.subject, request.dns_names, key));
  StoredRequest out;
  out.csr_der = std::move(csr);
  out.key = std::move(key);
  out.meta = {request.friendly_name, request.key.exportable, std::string(kCreatedByCreate), now};
  return out;
}

std::string RequestId(std::string_view csr_der) { return x509::Sha1Hex(csr_der); }

Result<CertificateInfo> DescribeCertificate(std::string_view der, bool has_private_key,
                                            const ItemMeta* meta) {
  XCERT_ASSIGN_OR_RETURN(CertificateInfo info, x509::ParseCertificate(der));
  info.has_private_key = has_private_key;
  if (meta) {
    info.exportable = has_private_key && meta->exportable;
    info.friendly_name = meta->friendly_name;
  } else {
    info.attributes_known = false;
  }
  // Exchange shows a self-signed certificate outside Trusted Root as
  // Valid/None (reference/exchange.md §1.3); anything else needs its chain.
  info.status = info.self_signed ? CertStatus::kValid : CertStatus::kUnknown;
  info.root_ca_type = info.self_signed ? RootCaType::kNone : RootCaType::kUnknown;
  return info;
}

Result<CertificateInfo> DescribeRequest(std::string_view csr_der, const ItemMeta& meta) {
  XCERT_ASSIGN_OR_RETURN(x509::CsrInfo csr, x509::ParseCsr(csr_der));
  CertificateInfo info;
  info.thumbprint = RequestId(csr_der);
  info.sha256 = x509::Sha256Hex(csr_der);
  info.subject = csr.subject;
  info.dns_names = csr.dns_names;
  info.key_algorithm = csr.key_algorithm;
  info.key_bits = csr.key_bits;
  info.curve = csr.curve;
  info.public_key_sha1 = csr.public_key_sha1;
  info.has_private_key = true;
  info.exportable = meta.exportable;
  info.friendly_name = meta.friendly_name;
  info.status = CertStatus::kPendingRequest;
  info.root_ca_type = RootCaType::kUnknown;
  info.pending_request = true;
  info.csr_pem = x509::ToPem("CERTIFICATE REQUEST", csr_der);
  return info;
}

void ApplyBindings(const Bindings& bindings, const std::string& server, CertificateInfo* info) {
  info->iis_services.clear();
  if (info->pending_request) {
    info->services = ServiceSet();
    return;
  }
  info->services = bindings.ServicesOf(info->thumbprint);
  if (bindings.iis == info->thumbprint)
    info->iis_services.push_back("IIS://" + server + "/W3SVC/1");
  if (bindings.iis_back_end == info->thumbprint) {
    info->iis_services.push_back("IIS://" + server + "/W3SVC/2");
  }
}

}  // namespace xcert::store
