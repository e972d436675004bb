// Building and signing certificates and certificate requests. Every
// certificate gets: a random positive 128-bit serial, SHA-256 signature
// (ECDSA-with-SHA256/384 for EC keys), subjectAltName with the DNS names,
// basicConstraints (critical), keyUsage (critical; digitalSignature +
// keyEncipherment for RSA leaves, digitalSignature for EC leaves,
// keyCertSign + cRLSign for CAs), extendedKeyUsage serverAuth (+ clientAuth
// when asked) for leaves, subjectKeyIdentifier, and authorityKeyIdentifier
// when signed by a CA.
#pragma once

#include <string>
#include <vector>

#include "engine/util/status.h"
#include "engine/util/time.h"
#include "resources/x509/key.h"

namespace xcert::x509 {

struct CertificateTemplate {
  std::string subject;                 // display-form DN, "CN=mail.contoso.com, O=Contoso"
  std::vector<std::string> dns_names;  // may be empty (e.g. the Auth certificate)
  TimePoint not_before{};
  TimePoint not_after{};
  bool client_auth = false;  // add clientAuth to the EKU
  bool is_ca = false;        // a CA certificate (tests, examples)
  bool no_eku = false;       // omit extendedKeyUsage (Auth certificate style)
};

// A self-signed certificate for `key`. Returns DER.
Result<std::string> SelfSign(const CertificateTemplate& t, const PrivateKey& key);

// A certificate for `subject_public_key_der` (SubjectPublicKeyInfo DER) signed
// by the CA (`ca_certificate_der`, `ca_key`). The issuer name and AKI come from
// the CA certificate. Does not check validity capping: callers do.
Result<std::string> SignWithCa(const CertificateTemplate& t,
                               std::string_view subject_public_key_der,
                               std::string_view ca_certificate_der, const PrivateKey& ca_key);
// The same for the public half of `subject_key`, without encoding and decoding
// it (OpenSSL 3's decoders cost more than the rest of building). Safe to call
// from several threads with the same CA key.
Result<std::string> SignWithCa(const CertificateTemplate& t, const PrivateKey& subject_key,
                               std::string_view ca_certificate_der, const PrivateKey& ca_key);

// A PKCS#10 request with the subject, the DNS names as a subjectAltName
// extension request, signed by `key`. Returns DER.
Result<std::string> CreateCsr(const std::string& subject, const std::vector<std::string>& dns_names,
                              const PrivateKey& key);

struct CsrInfo {
  std::string subject;  // display form
  std::vector<std::string> dns_names;
  std::string public_key_der;   // SubjectPublicKeyInfo
  std::string public_key_sha1;  // as PrivateKey::PublicKeySha1
  KeyAlgorithm key_algorithm = KeyAlgorithm::kRsa;
  int key_bits = 0;
  EcCurve curve = EcCurve::kNone;
  bool signature_ok = false;
};

// Parses a PKCS#10 request from PEM or DER.
Result<CsrInfo> ParseCsr(std::string_view data);

}  // namespace xcert::x509
