#include "resources/x509/oids.h"

#include <string>
#include <vector>

#include <openssl/obj_mac.h>

#include "resources/x509/der.h"

namespace xcert::x509::oids {

namespace {

constexpr AttributeType kAttributeTypes[] = {
    {"2.5.4.3", "CN", NID_commonName},
    {"2.5.4.5", "SERIALNUMBER", NID_serialNumber},
    {"2.5.4.6", "C", NID_countryName},
    {"2.5.4.7", "L", NID_localityName},
    {"2.5.4.8", "S", NID_stateOrProvinceName},
    {"2.5.4.9", "STREET", NID_streetAddress},
    {"2.5.4.10", "O", NID_organizationName},
    {"2.5.4.11", "OU", NID_organizationalUnitName},
    {"2.5.4.17", "POSTALCODE", NID_postalCode},
    {"0.9.2342.19200300.100.1.25", "DC", NID_domainComponent},
    {"1.2.840.113549.1.9.1", "E", NID_pkcs9_emailAddress},
};

constexpr SignatureAlgorithm kSignatureAlgorithms[] = {
    {"1.2.840.113549.1.1.11", "sha256WithRSAEncryption"},
    {"1.2.840.10045.4.3.2", "ecdsa-with-SHA256"},
    {"1.2.840.10045.4.3.3", "ecdsa-with-SHA384"},
    {"1.2.840.113549.1.1.5", "sha1WithRSAEncryption"},
    {"1.2.840.113549.1.1.12", "sha384WithRSAEncryption"},
    {"1.2.840.113549.1.1.13", "sha512WithRSAEncryption"},
    {"1.2.840.113549.1.1.14", "sha224WithRSAEncryption"},
    {"1.2.840.113549.1.1.15", "sha512-224WithRSAEncryption"},
    {"1.2.840.113549.1.1.16", "sha512-256WithRSAEncryption"},
    {"1.2.840.113549.1.1.10", "rsassaPss"},
    {"1.2.840.113549.1.1.4", "md5WithRSAEncryption"},
    {"1.3.14.3.2.29", "sha1WithRSA"},
    {"1.2.840.10045.4.1", "ecdsa-with-SHA1"},
    {"1.2.840.10045.4.3.1", "ecdsa-with-SHA224"},
    {"1.2.840.10045.4.3.4", "ecdsa-with-SHA512"},
    {"2.16.840.1.101.3.4.3.9", "ecdsa_with_SHA3-224"},
    {"2.16.840.1.101.3.4.3.10", "ecdsa_with_SHA3-256"},
    {"2.16.840.1.101.3.4.3.11", "ecdsa_with_SHA3-384"},
    {"2.16.840.1.101.3.4.3.12", "ecdsa_with_SHA3-512"},
    {"2.16.840.1.101.3.4.3.13", "RSA-SHA3-224"},
    {"2.16.840.1.101.3.4.3.14", "RSA-SHA3-256"},
    {"2.16.840.1.101.3.4.3.15", "RSA-SHA3-384"},
    {"2.16.840.1.101.3.4.3.16", "RSA-SHA3-512"},
    {"1.3.101.112", "ED25519"},
    {"1.3.101.113", "ED448"},
    {"1.2.840.10040.4.3", "dsaWithSHA1"},
    {"2.16.840.1.101.3.4.3.2", "dsa_with_SHA256"},
};

constexpr NamedCurve kNamedCurves[] = {
    {"1.2.840.10045.3.1.7", EcCurve::kP256, 256},
    {"1.3.132.0.34", EcCurve::kP384, 384},
    {"1.3.132.0.35", EcCurve::kNone, 521},
};

// Content octets of every entry of `table`, computed once (thread-safe
// static initialisation) so lookups are plain byte comparisons.
template <typename T, size_t N>
const std::vector<std::string>& Encoded(const T (&table)[N]) {
  static const std::vector<std::string> encoded = [&] {
    std::vector<std::string> out;
    for (const T& e : table) out.push_back(der::EncodeOid(e.dotted));
    return out;
  }();
  return encoded;
}

template <typename T, size_t N>
const T* Find(const T (&table)[N], std::string_view oid_content) {
  const std::vector<std::string>& encoded = Encoded(table);
  for (size_t i = 0; i < N; ++i) {
    if (encoded[i] == oid_content) return &table[i];
  }
  return nullptr;
}

}  // namespace

std::span<const AttributeType> AttributeTypes() { return kAttributeTypes; }

std::string_view AttributeTypeName(std::string_view oid_content) {
  const AttributeType* t = Find(kAttributeTypes, oid_content);
  return t ? t->short_name : std::string_view();
}

int AttributeTypeNid(std::string_view short_name) {
  for (const AttributeType& t : kAttributeTypes) {
    if (t.short_name == short_name) return t.nid;
  }
  return NID_undef;
}

std::span<const SignatureAlgorithm> SignatureAlgorithms() { return kSignatureAlgorithms; }

std::string_view SignatureAlgorithmName(std::string_view oid_content) {
  const SignatureAlgorithm* a = Find(kSignatureAlgorithms, oid_content);
  return a ? a->name : std::string_view();
}

std::span<const NamedCurve> NamedCurves() { return kNamedCurves; }

const NamedCurve* FindCurve(std::string_view oid_content) {
  return Find(kNamedCurves, oid_content);
}

}  // namespace xcert::x509::oids
