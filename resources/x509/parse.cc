// ParseCertificate: a direct walk over the certificate's DER, without
// building an OpenSSL X509 object (see parse.h for why).
#include "resources/x509/parse.h"

#include "engine/util/strings.h"
#include "resources/x509/der.h"
#include "resources/x509/der_x509.h"
#include "resources/x509/digest.h"
#include "resources/x509/oids.h"

namespace xcert::x509 {

namespace {

using der::Reader;
using der::Tlv;

// What the walk collects beyond CertificateInfo, for the self-signed guess.
struct Walk {
  CertificateInfo info;
  std::vector<Rdn> subject;
  std::vector<Rdn> issuer;
};

Result<std::string> AlgorithmName(const Tlv& algorithm_identifier) {
  Reader r(algorithm_identifier.value);
  XCERT_ASSIGN_OR_RETURN(Tlv oid, r.Read(der::kOid, "signature algorithm"));
  const std::string_view name = oids::SignatureAlgorithmName(oid.value);
  if (!name.empty()) return std::string(name);
  return der::OidToText(oid.value, "signature algorithm");
}

Status ReadVersion(Reader& tbs) {
  if (!tbs.NextTagIs(der::ContextConstructed(0))) return Status::Ok();  // v1
  XCERT_ASSIGN_OR_RETURN(Tlv explicit_version, tbs.Read("version"));
  Reader r(explicit_version.value);
  XCERT_ASSIGN_OR_RETURN(Tlv version, r.Read(der::kInteger, "version"));
  XCERT_RETURN_IF_ERROR(r.ExpectEnd("version"));
  if (version.value.size() != 1 || uint8_t(version.value[0]) > 2) {
    return der::Malformed("version", "only v1, v2 and v3 exist");
  }
  return Status::Ok();
}

Status ReadValidity(const Tlv& validity, CertificateInfo* info) {
  Reader r(validity.value);
  XCERT_ASSIGN_OR_RETURN(Tlv not_before, r.Read("validity.notBefore"));
  XCERT_ASSIGN_OR_RETURN(info->not_before, der::DecodeTime(not_before, "validity.notBefore"));
  XCERT_ASSIGN_OR_RETURN(Tlv not_after, r.Read("validity.notAfter"));
  XCERT_ASSIGN_OR_RETURN(info->not_after, der::DecodeTime(not_after, "validity.notAfter"));
  return r.ExpectEnd("validity");
}

Status ReadSubjectAltName(std::string_view value, CertificateInfo* info) {
  Reader outer(value);
  XCERT_ASSIGN_OR_RETURN(Tlv names, outer.Read(der::kSequence, "subjectAltName"));
  XCERT_RETURN_IF_ERROR(outer.ExpectEnd("subjectAltName"));
  Reader r(names.value);
  while (!r.AtEnd()) {
    XCERT_ASSIGN_OR_RETURN(Tlv name, r.Read("subjectAltName entry"));
    if (name.tag == der::ContextPrimitive(2)) info->dns_names.emplace_back(name.value);
  }
  return Status::Ok();
}

Status ReadBasicConstraints(std::string_view value, CertificateInfo* info) {
  Reader outer(value);
  XCERT_ASSIGN_OR_RETURN(Tlv seq, outer.Read(der::kSequence, "basicConstraints"));
  XCERT_RETURN_IF_ERROR(outer.ExpectEnd("basicConstraints"));
  Reader r(seq.value);
  if (r.NextTagIs(der::kBoolean)) {
    XCERT_ASSIGN_OR_RETURN(Tlv ca, r.Read("basicConstraints.cA"));
    XCERT_ASSIGN_OR_RETURN(info->is_ca, der::DecodeBoolean(ca, "basicConstraints.cA"));
  }
  if (r.NextTagIs(der::kInteger)) {
    XCERT_ASSIGN_OR_RETURN(Tlv path_len, r.Read("basicConstraints.pathLenConstraint"));
    XCERT_RETURN_IF_ERROR(
        der::IntegerBytes(path_len, "basicConstraints.pathLenConstraint").status());
  }
  return r.ExpectEnd("basicConstraints");
}

Status ReadSubjectKeyId(std::string_view value, CertificateInfo* info) {
  Reader r(value);
  XCERT_ASSIGN_OR_RETURN(Tlv id, r.Read(der::kOctetString, "subjectKeyIdentifier"));
  info->subject_key_id = HexEncode(id.value, true);
  return r.ExpectEnd("subjectKeyIdentifier");
}

Status ReadAuthorityKeyId(std::string_view value, CertificateInfo* info) {
  Reader outer(value);
  XCERT_ASSIGN_OR_RETURN(Tlv seq, outer.Read(der::kSequence, "authorityKeyIdentifier"));
  XCERT_RETURN_IF_ERROR(outer.ExpectEnd("authorityKeyIdentifier"));
  Reader r(seq.value);
  if (r.NextTagIs(der::ContextPrimitive(0))) {
    XCERT_ASSIGN_OR_RETURN(Tlv id, r.Read("authorityKeyIdentifier.keyIdentifier"));
    info->authority_key_id = HexEncode(id.value, true);
  }
  return Status::Ok();  // authorityCertIssuer and serial are not needed
}

Status ReadExtension(const Tlv& extension, std::vector<std::string_view>* seen,
                     CertificateInfo* info) {
  Reader r(extension.value);
  XCERT_ASSIGN_OR_RETURN(Tlv oid, r.Read(der::kOid, "extension"));
  for (std::string_view s : *seen) {
    if (s == oid.value) {
      XCERT_ASSIGN_OR_RETURN(std::string dotted, der::OidToText(oid.value, "extension"));
      return der::Malformed("extensions", "extension " + dotted + " appears twice");
    }
  }
  seen->push_back(oid.value);
  if (r.NextTagIs(der::kBoolean)) {
    XCERT_ASSIGN_OR_RETURN(Tlv critical, r.Read("extension.critical"));
    XCERT_RETURN_IF_ERROR(der::DecodeBoolean(critical, "extension.critical").status());
  }
  XCERT_ASSIGN_OR_RETURN(Tlv value, r.Read(der::kOctetString, "extension.extnValue"));
  XCERT_RETURN_IF_ERROR(r.ExpectEnd("extension"));
  if (oid.value == oids::kSubjectAltName) return ReadSubjectAltName(value.value, info);
  if (oid.value == oids::kBasicConstraints) return ReadBasicConstraints(value.value, info);
  if (oid.value == oids::kSubjectKeyIdentifier) return ReadSubjectKeyId(value.value, info);
  if (oid.value == oids::kAuthorityKeyIdentifier) return ReadAuthorityKeyId(value.value, info);
  return Status::Ok();
}

Status ReadExtensions(Reader& tbs, CertificateInfo* info) {
  // issuerUniqueID [1] and subjectUniqueID [2] (v2) are skipped.
  for (int tag : {1, 2}) {
    if (tbs.NextTagIs(der::ContextPrimitive(tag)) || tbs.NextTagIs(der::ContextConstructed(tag))) {
      XCERT_RETURN_IF_ERROR(tbs.Read("uniqueIdentifier").status());
    }
  }
  if (!tbs.NextTagIs(der::ContextConstructed(3))) return Status::Ok();
  XCERT_ASSIGN_OR_RETURN(Tlv explicit_extensions, tbs.Read("extensions"));
  Reader outer(explicit_extensions.value);
  XCERT_ASSIGN_OR_RETURN(Tlv extensions, outer.Read(der::kSequence, "extensions"));
  XCERT_RETURN_IF_ERROR(outer.ExpectEnd("extensions"));
  Reader r(extensions.value);
  std::vector<std::string_view> seen;
  while (!r.AtEnd()) {
    XCERT_ASSIGN_OR_RETURN(Tlv extension, r.Read(der::kSequence, "extension"));
    XCERT_RETURN_IF_ERROR(ReadExtension(extension, &seen, info));
  }
  return Status::Ok();
}

// TBSCertificate (RFC 5280 §4.1): the fields in their fixed order.
Status ReadTbs(const Tlv& tbs_tlv, const Tlv& outer_algorithm, Walk* walk) {
  CertificateInfo& info = walk->info;
  Reader tbs(tbs_tlv.value);
  XCERT_RETURN_IF_ERROR(ReadVersion(tbs));
  XCERT_ASSIGN_OR_RETURN(Tlv serial, tbs.Read(der::kInteger, "serialNumber"));
  XCERT_ASSIGN_OR_RETURN(std::string_view serial_bytes, der::IntegerBytes(serial, "serialNumber"));
  info.serial = HexEncode(serial_bytes, true);
  XCERT_ASSIGN_OR_RETURN(Tlv signature, tbs.Read(der::kSequence, "signature"));
  if (signature.encoded != outer_algorithm.encoded) {
    return der::Malformed("certificate",
                          "signatureAlgorithm differs from tbsCertificate.signature");
  }
  XCERT_ASSIGN_OR_RETURN(info.signature_algorithm, AlgorithmName(signature));
  XCERT_ASSIGN_OR_RETURN(Tlv issuer, tbs.Read(der::kSequence, "issuer"));
  XCERT_ASSIGN_OR_RETURN(walk->issuer, der::DecodeName(issuer, "issuer"));
  XCERT_ASSIGN_OR_RETURN(Tlv validity, tbs.Read(der::kSequence, "validity"));
  XCERT_RETURN_IF_ERROR(ReadValidity(validity, &info));
  XCERT_ASSIGN_OR_RETURN(Tlv subject, tbs.Read(der::kSequence, "subject"));
  XCERT_ASSIGN_OR_RETURN(walk->subject, der::DecodeName(subject, "subject"));
  XCERT_ASSIGN_OR_RETURN(Tlv spki, tbs.Read(der::kSequence, "subjectPublicKeyInfo"));
  XCERT_ASSIGN_OR_RETURN(der::PublicKeyFacts key,
                         der::DecodePublicKeyInfo(spki, "subjectPublicKeyInfo"));
  info.key_algorithm = key.algorithm;
  info.key_bits = key.bits;
  info.curve = key.curve;
  info.public_key_sha1 = Sha1Hex(key.key);
  XCERT_RETURN_IF_ERROR(ReadExtensions(tbs, &info));
  return tbs.ExpectEnd("tbsCertificate");
}

// Whether two names are equal the way X509_NAME_cmp sees them (case- and
// space-insensitive, as DnKey is). The type check first spares building
// keys for the usual CA-issued certificate, whose names differ in shape.
bool SameName(const std::vector<Rdn>& a, const std::vector<Rdn>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].type != b[i].type) return false;
  }
  return DnKey(a) == DnKey(b);
}

// OpenSSL's X509_self_signed without the signature check: the issuer name
// matches the subject and the AKI, when both identifiers exist, names this key.
bool LooksSelfSigned(const Walk& walk) {
  if (!SameName(walk.subject, walk.issuer)) return false;
  const CertificateInfo& info = walk.info;
  return info.authority_key_id.empty() || info.subject_key_id.empty() ||
         info.authority_key_id == info.subject_key_id;
}

}  // namespace

Result<CertificateInfo> ParseCertificate(std::string_view der) {
  Reader top(der);
  XCERT_ASSIGN_OR_RETURN(Tlv certificate, top.Read(der::kSequence, "certificate"));
  XCERT_RETURN_IF_ERROR(top.ExpectEnd("certificate"));
  Reader r(certificate.value);
  XCERT_ASSIGN_OR_RETURN(Tlv tbs, r.Read(der::kSequence, "tbsCertificate"));
  XCERT_ASSIGN_OR_RETURN(Tlv algorithm, r.Read(der::kSequence, "signatureAlgorithm"));
  XCERT_RETURN_IF_ERROR(r.Read(der::kBitString, "signatureValue").status());
  XCERT_RETURN_IF_ERROR(r.ExpectEnd("certificate"));
  Walk walk;
  XCERT_RETURN_IF_ERROR(ReadTbs(tbs, algorithm, &walk));
  CertificateInfo& info = walk.info;
  info.subject = FormatDn(walk.subject);
  info.issuer = FormatDn(walk.issuer);
  info.self_signed = LooksSelfSigned(walk);
  info.thumbprint = Sha1Hex(der);
  info.sha256 = Sha256Hex(der);
  info.der = std::string(der);
  return std::move(walk.info);
}

}  // namespace xcert::x509
