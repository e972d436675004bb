// ParseCertificateOpenSsl: the reference parser, through d2i_X509.
#include "engine/util/strings.h"
#include "resources/x509/digest.h"
#include "resources/x509/openssl_util.h"
#include "resources/x509/parse.h"
#include "resources/x509/x509_ext.h"

namespace xcert::x509 {

namespace {

std::string OctetsHex(const ASN1_OCTET_STRING* s) {
  if (s == nullptr) return "";
  return HexEncode(std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                    static_cast<size_t>(ASN1_STRING_length(s))),
                   true);
}

Status FillNames(X509* cert, CertificateInfo* info) {
  auto subject = NameToRdns(X509_get_subject_name(cert));
  if (!subject.ok()) return subject.status().WithContext("malformed subject");
  auto issuer = NameToRdns(X509_get_issuer_name(cert));
  if (!issuer.ok()) return issuer.status().WithContext("malformed issuer");
  info->subject = FormatDn(*subject);
  info->issuer = FormatDn(*issuer);
  GeneralNamesPtr san(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  info->dns_names = DnsNamesOf(san.get());
  return Status::Ok();
}

Status FillKey(X509* cert, CertificateInfo* info) {
  XCERT_ASSIGN_OR_RETURN(KeyFacts facts, DescribeKey(X509_get0_pubkey(cert)));
  info->key_algorithm = facts.algorithm;
  info->key_bits = facts.bits;
  info->curve = facts.curve;
  const ASN1_BIT_STRING* bits = X509_get0_pubkey_bitstr(cert);
  info->public_key_sha1 = Sha1Hex(std::string_view(
      reinterpret_cast<const char*>(ASN1_STRING_get0_data(bits)), ASN1_STRING_length(bits)));
  return Status::Ok();
}

Status FillSignatureAlgorithm(X509* cert, CertificateInfo* info) {
  const X509_ALGOR* outer = nullptr;
  X509_get0_signature(nullptr, &outer, cert);
  const X509_ALGOR* inner = X509_get0_tbs_sigalg(cert);
  if (X509_ALGOR_cmp(outer, inner) != 0) {
    return InvalidArgument(
        "malformed certificate: signatureAlgorithm differs from tbsCertificate.signature");
  }
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, inner);
  info->signature_algorithm = AlgorithmName(oid);
  return Status::Ok();
}

}  // namespace

Result<CertificateInfo> ParseCertificateOpenSsl(std::string_view der) {
  XCERT_ASSIGN_OR_RETURN(X509Ptr cert, CertificateFromDer(der));
  // Caches the extensions; flags duplicates and undecodable ones.
  const uint32_t flags = X509_get_extension_flags(cert.get());
  if (flags & EXFLAG_INVALID) {
    return OpenSslError("malformed certificate: an extension is invalid or repeated",
                        Code::kInvalidArgument);
  }
  CertificateInfo info;
  XCERT_RETURN_IF_ERROR(FillNames(cert.get(), &info));
  XCERT_RETURN_IF_ERROR(FillKey(cert.get(), &info));
  XCERT_RETURN_IF_ERROR(FillSignatureAlgorithm(cert.get(), &info));
  XCERT_ASSIGN_OR_RETURN(info.not_before, TimeFromAsn1(X509_get0_notBefore(cert.get())));
  XCERT_ASSIGN_OR_RETURN(info.not_after, TimeFromAsn1(X509_get0_notAfter(cert.get())));
  info.serial = IntegerHex(X509_get0_serialNumber(cert.get()));
  info.subject_key_id = OctetsHex(X509_get0_subject_key_id(cert.get()));
  info.authority_key_id = OctetsHex(X509_get0_authority_key_id(cert.get()));
  info.is_ca = (flags & EXFLAG_CA) != 0;
  info.self_signed = X509_self_signed(cert.get(), 1) == 1;
  DrainOpenSslErrors();  // X509_self_signed leaves a reason behind when it says no
  info.thumbprint = Sha1Hex(der);
  info.sha256 = Sha256Hex(der);
  info.der = std::string(der);
  return info;
}

}  // namespace xcert::x509
