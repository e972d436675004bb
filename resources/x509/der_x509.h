// X.509 building blocks read with the DER reader: Names, integers and
// SubjectPublicKeyInfo. Used by the DER certificate walker (parse.cc) and
// by the key code (RFC 5280 key identifiers).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/model/certificate.h"
#include "engine/model/dn.h"
#include "engine/util/status.h"
#include "resources/x509/der.h"

namespace xcert::x509::der {

// The attribute values of a Name (SEQUENCE OF SET OF AttributeTypeAndValue)
// as dn.h Rdns, most specific first (the reverse of DER order); multi-valued
// RDNs are flattened. Types are dn.h short names ("CN") or dotted OIDs
// ("2.5.4.97"); values are decoded to UTF-8 (see DecodeString).
Result<std::vector<Rdn>> DecodeName(const Tlv& name, std::string_view what);

// Content octets of an INTEGER, checked to be minimally encoded.
Result<std::string_view> IntegerBytes(const Tlv& t, std::string_view what);

struct PublicKeyFacts {
  KeyAlgorithm algorithm = KeyAlgorithm::kRsa;
  int bits = 0;  // RSA modulus bits, or the curve's size
  EcCurve curve = EcCurve::kNone;
  std::string_view key;  // subjectPublicKey bits (no unused-bits octet)
};

// Reads a SubjectPublicKeyInfo element. RSA (rsaEncryption, RSASSA-PSS)
// and EC keys on a named curve of oids::NamedCurves() are supported;
// other algorithms are an InvalidArgument that names the OID.
Result<PublicKeyFacts> DecodePublicKeyInfo(const Tlv& spki, std::string_view what);

// The same for a whole SubjectPublicKeyInfo DER (no trailing bytes).
Result<PublicKeyFacts> DecodePublicKeyInfoDer(std::string_view spki_der);

}  // namespace xcert::x509::der
