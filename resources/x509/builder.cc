#include "resources/x509/builder.h"

#include "resources/x509/digest.h"
#include "resources/x509/openssl_util.h"
#include "resources/x509/x509_ext.h"

namespace xcert::x509 {

namespace {

// keyUsage bit numbers (RFC 5280 §4.2.1.3).
constexpr int kDigitalSignature = 0;
constexpr int kKeyEncipherment = 2;
constexpr int kKeyCertSign = 5;
constexpr int kCrlSign = 6;

// 16 random bytes with the top bit clear: a positive 128-bit INTEGER that
// never needs a sign octet, so every serial is 16 octets long.
Result<Asn1IntegerPtr> RandomSerial() {
  std::string bytes = RandomBytes(16);
  bytes[0] = char(uint8_t(bytes[0]) & 0x7f);
  if (bytes[0] == 0) bytes[0] = 1;
  Asn1IntegerPtr serial(ASN1_INTEGER_new());
  if (!serial || !ASN1_STRING_set(serial.get(), bytes.data(), static_cast<int>(bytes.size()))) {
    return OpenSslError("cannot make a serial number");
  }
  return serial;
}

Status AddBasicConstraints(X509* cert, bool is_ca) {
  BasicConstraintsPtr bc(BASIC_CONSTRAINTS_new());
  bc->ca = is_ca ? 0xff : 0;
  return AddExtension(cert, NID_basic_constraints, bc.get(), true);
}

Status AddKeyUsage(X509* cert, bool is_ca, const EVP_PKEY* subject_key) {
  Asn1BitStringPtr ku(ASN1_BIT_STRING_new());
  std::vector<int> bits;
  if (is_ca) {
    bits = {kKeyCertSign, kCrlSign};
  } else if (EVP_PKEY_is_a(subject_key, "EC")) {
    bits = {kDigitalSignature};
  } else {
    bits = {kDigitalSignature, kKeyEncipherment};
  }
  for (int bit : bits) ASN1_BIT_STRING_set_bit(ku.get(), bit, 1);
  return AddExtension(cert, NID_key_usage, ku.get(), true);
}

Status AddExtendedKeyUsage(X509* cert, bool client_auth) {
  ExtendedKeyUsagePtr eku(sk_ASN1_OBJECT_new_null());
  sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(NID_server_auth));
  if (client_auth) sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(NID_client_auth));
  return AddExtension(cert, NID_ext_key_usage, eku.get(), false);
}

Status AddKeyIdentifiers(X509* cert, const EVP_PKEY* subject_key,
                         std::string_view authority_key_id) {
  const std::string ski = KeyIdentifier(subject_key);
  Asn1OctetStringPtr ski_value(ASN1_OCTET_STRING_new());
  ASN1_OCTET_STRING_set(ski_value.get(), reinterpret_cast<const unsigned char*>(ski.data()),
                        static_cast<int>(ski.size()));
  XCERT_RETURN_IF_ERROR(AddExtension(cert, NID_subject_key_identifier, ski_value.get(), false));
  if (authority_key_id.empty()) return Status::Ok();
  AuthorityKeyIdPtr aki(AUTHORITY_KEYID_new());
  aki->keyid = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(aki->keyid, reinterpret_cast<const unsigned char*>(authority_key_id.data()),
                        static_cast<int>(authority_key_id.size()));
  return AddExtension(cert, NID_authority_key_identifier, aki.get(), false);
}

Status AddExtensions(X509* cert, const CertificateTemplate& t, const EVP_PKEY* subject_key,
                     std::string_view authority_key_id) {
  XCERT_RETURN_IF_ERROR(AddBasicConstraints(cert, t.is_ca));
  XCERT_RETURN_IF_ERROR(AddKeyUsage(cert, t.is_ca, subject_key));
  if (!t.is_ca && !t.no_eku) XCERT_RETURN_IF_ERROR(AddExtendedKeyUsage(cert, t.client_auth));
  if (!t.dns_names.empty()) {
    XCERT_ASSIGN_OR_RETURN(GeneralNamesPtr san, DnsGeneralNames(t.dns_names));
    XCERT_RETURN_IF_ERROR(AddExtension(cert, NID_subject_alt_name, san.get(), false));
  }
  return AddKeyIdentifiers(cert, subject_key, authority_key_id);
}

Status SetValidity(X509* cert, const CertificateTemplate& t) {
  if (t.not_after <= t.not_before) {
    return InvalidArgument("the validity ends (" + FormatIso8601(t.not_after) +
                           ") before it starts (" + FormatIso8601(t.not_before) + ")");
  }
  if (!SetAsn1Time(X509_getm_notBefore(cert), t.not_before) ||
      !SetAsn1Time(X509_getm_notAfter(cert), t.not_after)) {
    return OpenSslError("cannot set the validity window");
  }
  return Status::Ok();
}

// Everything both SelfSign and SignWithCa do: a v3 certificate for
// `subject_key`, issued under `issuer` and signed by `signer`.
Result<std::string> Build(const CertificateTemplate& t, EVP_PKEY* subject_key,
                          const X509_NAME* issuer, EVP_PKEY* signer,
                          std::string_view authority_key_id) {
  XCERT_RETURN_IF_ERROR(DescribeKey(subject_key).status());
  auto subject = NameFromDisplay(t.subject);
  if (!subject.ok()) return subject.status().WithContext("subject '" + t.subject + "'");
  X509Ptr cert(X509_new());
  XCERT_ASSIGN_OR_RETURN(Asn1IntegerPtr serial, RandomSerial());
  if (!cert || !X509_set_version(cert.get(), X509_VERSION_3) ||
      !X509_set_serialNumber(cert.get(), serial.get()) ||
      !X509_set_subject_name(cert.get(), subject->get()) ||
      !X509_set_issuer_name(cert.get(), issuer ? issuer : subject->get()) ||
      !X509_set_pubkey(cert.get(), subject_key)) {
    return OpenSslError("cannot fill in the certificate");
  }
  XCERT_RETURN_IF_ERROR(SetValidity(cert.get(), t));
  XCERT_RETURN_IF_ERROR(AddExtensions(cert.get(), t, subject_key, authority_key_id));
  if (X509_sign(cert.get(), signer, SigningDigest(signer)) <= 0) {
    return OpenSslError("cannot sign the certificate");
  }
  return CertificateToDer(cert.get());
}

Result<EvpPkeyPtr> PublicKeyFromDer(std::string_view spki_der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(spki_der.data());
  EvpPkeyPtr pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_der.size())));
  if (!pkey) return OpenSslError("not a SubjectPublicKeyInfo (DER)", Code::kInvalidArgument);
  return pkey;
}

std::string SubjectOf(X509* cert) {
  auto rdns = NameToRdns(X509_get_subject_name(cert));
  return rdns.ok() ? FormatDn(*rdns) : "";
}

// The key identifier the CA's certificates carry: its SKI extension when it
// has one (so chains built by other tools still link), else method 1.
std::string CaKeyIdentifier(X509* ca) {
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(ca);
  if (ski != nullptr) {
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(ski)),
                       static_cast<size_t>(ASN1_STRING_length(ski)));
  }
  return KeyIdentifier(X509_get0_pubkey(ca));
}

}  // namespace

Result<std::string> SelfSign(const CertificateTemplate& t, const PrivateKey& key) {
  if (!key.valid()) return InvalidArgument("self-signing needs a private key");
  return Build(t, key.get(), nullptr, key.get(), "");
}

namespace {

Result<std::string> SignWithCa(const CertificateTemplate& t, EVP_PKEY* subject_key,
                               std::string_view ca_certificate_der, const PrivateKey& ca_key) {
  auto ca = CertificateFromDer(ca_certificate_der);
  if (!ca.ok()) return ca.status().WithContext("the CA certificate");
  const std::string ca_subject = SubjectOf(ca->get());
  if (!ca_key.valid() || EVP_PKEY_eq(X509_get0_pubkey(ca->get()), ca_key.get()) != 1) {
    DrainOpenSslErrors();
    return InvalidArgument("the CA key does not belong to the CA certificate '" + ca_subject +
                           "'; check the issuer's certificate and key files");
  }
  if (X509_check_ca(ca->get()) == 0) {
    return FailedPrecondition("the CA certificate '" + ca_subject +
                              "' is not a CA certificate (basicConstraints CA:TRUE is missing)");
  }
  return Build(t, subject_key, X509_get_subject_name(ca->get()), ca_key.get(),
               CaKeyIdentifier(ca->get()));
}

}  // namespace

Result<std::string> SignWithCa(const CertificateTemplate& t,
                               std::string_view subject_public_key_der,
                               std::string_view ca_certificate_der, const PrivateKey& ca_key) {
  XCERT_ASSIGN_OR_RETURN(EvpPkeyPtr subject_key, PublicKeyFromDer(subject_public_key_der));
  return SignWithCa(t, subject_key.get(), ca_certificate_der, ca_key);
}

Result<std::string> SignWithCa(const CertificateTemplate& t, const PrivateKey& subject_key,
                               std::string_view ca_certificate_der, const PrivateKey& ca_key) {
  if (!subject_key.valid()) return InvalidArgument("no subject key to certify");
  return SignWithCa(t, subject_key.get(), ca_certificate_der, ca_key);
}

}  // namespace xcert::x509
