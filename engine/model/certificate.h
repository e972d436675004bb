// What xcert knows about one certificate in a store: the X.509 facts read from
// the certificate itself, plus the store's attributes (private key, exportable,
// friendly name, services). Plain values; no OpenSSL types cross this line.
#pragma once

#include <string>
#include <vector>

#include "engine/model/exchange.h"
#include "engine/util/time.h"

namespace xcert {

enum class KeyAlgorithm : uint8_t { kRsa, kEcdsa };
enum class EcCurve : uint8_t { kNone, kP256, kP384 };

std::string_view KeyAlgorithmName(KeyAlgorithm a);  // "RSA", "ECDSA"
std::string_view CurveName(EcCurve c);              // "P-256", "P-384", ""

// A key as the manifest asks for it.
struct KeySpec {
  KeyAlgorithm algorithm = KeyAlgorithm::kRsa;
  int rsa_bits = 2048;             // RSA only: 2048, 3072 or 4096
  EcCurve curve = EcCurve::kNone;  // ECDSA only
  bool exportable = false;         // Exchange's -PrivateKeyExportable

  // "RSA 2048", "ECDSA P-256".
  std::string ToString() const;
  bool operator==(const KeySpec&) const = default;
};

// Exchange's CertificateStatus, with the same names and order.
enum class CertStatus : uint8_t {
  kUnknown,
  kValid,
  kRevoked,
  kDateInvalid,
  kUntrusted,
  kInvalid,
  kRevocationCheckFailure,
  kPendingRequest,
};
std::string_view CertStatusName(CertStatus s);

// Exchange's CertificateAuthorityType (RootCAType).
enum class RootCaType : uint8_t {
  kNone,
  kThirdParty,
  kEnterprise,
  kRegistry,
  kGroupPolicy,
  kUnknown
};
std::string_view RootCaTypeName(RootCaType t);

struct CertificateInfo {
  // --- from the certificate (or, for a pending request, the CSR) ---
  std::string thumbprint;  // SHA-1 of the DER, 40 upper-case hex (for a request: of the CSR DER)
  std::string sha256;      // SHA-256 of the DER, 64 upper-case hex
  std::string subject;     // display form, most specific first: "CN=mail.contoso.com, O=Contoso"
  std::string issuer;      // same form
  std::vector<std::string> dns_names;  // subjectAltName dNSName entries, in certificate order
  TimePoint not_before{};
  TimePoint not_after{};
  KeyAlgorithm key_algorithm = KeyAlgorithm::kRsa;
  int key_bits = 0;  // RSA modulus bits, or the curve's bits for ECDSA
  EcCurve curve = EcCurve::kNone;
  std::string serial;               // upper-case hex
  std::string signature_algorithm;  // e.g. "sha256WithRSAEncryption"
  std::string subject_key_id;       // hex of the SKI extension, "" if absent
  std::string authority_key_id;     // hex of the AKI keyIdentifier, "" if absent
  std::string
      public_key_sha1;  // SHA-1 of the subjectPublicKey bits: links a request to its certificate
  bool self_signed = false;  // issuer == subject and verifies with its own key
  bool is_ca = false;        // basicConstraints CA:TRUE
  std::string der;           // the DER bytes (empty for pending requests)

  // --- from the store ---
  bool has_private_key = false;
  bool exportable = false;
  std::string friendly_name;
  ServiceSet
      services;  // as the store records them (Exchange's Services); see ServerState::bindings
  CertStatus status = CertStatus::kUnknown;
  RootCaType root_ca_type = RootCaType::kUnknown;
  bool pending_request = false;           // a key and CSR waiting for a CA's answer
  std::string csr_pem;                    // the request, when pending_request
  std::vector<std::string> iis_services;  // e.g. "IIS://MailServer21/W3SVC/1"
  // False for an object whose store attributes could not be read (an Exchange
  // snapshot holding RawData only): present, attributes unknown. The plan
  // never takes a destructive step on such a certificate.
  bool attributes_known = true;

  bool IsExpired(TimePoint now) const { return now >= not_after; }
  bool IsNotYetValid(TimePoint now) const { return now < not_before; }
};

}  // namespace xcert
