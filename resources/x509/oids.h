// Object identifiers that both certificate parsers (the DER walker and the
// OpenSSL one) name, so that they name them identically. OIDs are compared
// as DER content octets ("\x55\x04\x03" is 2.5.4.3).
#pragma once

#include <span>
#include <string_view>

#include "engine/model/certificate.h"

namespace xcert::x509::oids {

// Content octets of the OIDs the DER walker looks for.
inline constexpr std::string_view kRsaEncryption = "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01";
inline constexpr std::string_view kRsassaPss = "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0a";
inline constexpr std::string_view kEcPublicKey = "\x2a\x86\x48\xce\x3d\x02\x01";
inline constexpr std::string_view kSubjectKeyIdentifier = "\x55\x1d\x0e";
inline constexpr std::string_view kSubjectAltName = "\x55\x1d\x11";
inline constexpr std::string_view kBasicConstraints = "\x55\x1d\x13";
inline constexpr std::string_view kAuthorityKeyIdentifier = "\x55\x1d\x23";

// Name attribute types that engine/model/dn.h has short names for.
struct AttributeType {
  std::string_view dotted;
  std::string_view short_name;  // as dn.h spells it: "CN", "SERIALNUMBER", ...
  int nid;
};
std::span<const AttributeType> AttributeTypes();
// The dn.h short name of an attribute type, or "" when it has none (then
// both parsers show the dotted OID).
std::string_view AttributeTypeName(std::string_view oid_content);
// The OpenSSL NID of a dn.h short name, or 0 (NID_undef).
int AttributeTypeNid(std::string_view short_name);

// Signature algorithms, named as OpenSSL's OBJ_nid2ln names them.
struct SignatureAlgorithm {
  std::string_view dotted;
  std::string_view name;
};
std::span<const SignatureAlgorithm> SignatureAlgorithms();
// The OpenSSL long name, or "" when not in the table.
std::string_view SignatureAlgorithmName(std::string_view oid_content);

// Named elliptic curves.
struct NamedCurve {
  std::string_view dotted;
  EcCurve curve;  // kNone for curves xcert does not create (P-521)
  int bits;
};
std::span<const NamedCurve> NamedCurves();
// The curve with these OID content octets, or nullptr.
const NamedCurve* FindCurve(std::string_view oid_content);

}  // namespace xcert::x509::oids
