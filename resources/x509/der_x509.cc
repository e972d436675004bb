#include "resources/x509/der_x509.h"

#include <algorithm>

#include "resources/x509/oids.h"

namespace xcert::x509::der {

namespace {

// Appends the values of one RDN (a SET OF AttributeTypeAndValue) to `out`
// in DER order; DecodeName reverses the whole list at the end.
Status DecodeRdn(const Tlv& rdn, std::string_view what, std::vector<Rdn>* out) {
  Reader set(rdn.value);
  if (set.AtEnd()) return Malformed(what, "empty RelativeDistinguishedName");
  while (!set.AtEnd()) {
    XCERT_ASSIGN_OR_RETURN(Tlv atv, set.Read(kSequence, what));
    Reader r(atv.value);
    XCERT_ASSIGN_OR_RETURN(Tlv type, r.Read(kOid, what));
    XCERT_ASSIGN_OR_RETURN(Tlv value, r.Read(what));
    XCERT_RETURN_IF_ERROR(r.ExpectEnd(what));
    Rdn entry;
    const std::string_view name = oids::AttributeTypeName(type.value);
    if (name.empty()) {
      XCERT_ASSIGN_OR_RETURN(entry.type, OidToText(type.value, what));
    } else {
      entry.type = std::string(name);
    }
    XCERT_ASSIGN_OR_RETURN(entry.value, DecodeString(value, what));
    out->push_back(std::move(entry));
  }
  return Status::Ok();
}

int BitLength(std::string_view magnitude) {
  while (!magnitude.empty() && magnitude.front() == 0) magnitude.remove_prefix(1);
  if (magnitude.empty()) return 0;
  int bits = static_cast<int>(magnitude.size() - 1) * 8;
  for (uint8_t top = uint8_t(magnitude.front()); top != 0; top >>= 1) ++bits;
  return bits;
}

Result<int> RsaModulusBits(std::string_view key, std::string_view what) {
  Reader outer(key);
  XCERT_ASSIGN_OR_RETURN(Tlv seq, outer.Read(kSequence, what));
  XCERT_RETURN_IF_ERROR(outer.ExpectEnd(what));
  Reader r(seq.value);
  XCERT_ASSIGN_OR_RETURN(Tlv modulus, r.Read(kInteger, what));
  XCERT_ASSIGN_OR_RETURN(std::string_view n, IntegerBytes(modulus, what));
  if (uint8_t(n.front()) & 0x80) return Malformed(what, "the RSA modulus is negative");
  XCERT_ASSIGN_OR_RETURN(Tlv exponent, r.Read(kInteger, what));
  XCERT_RETURN_IF_ERROR(IntegerBytes(exponent, what).status());
  XCERT_RETURN_IF_ERROR(r.ExpectEnd(what));
  return BitLength(n);
}

Result<const oids::NamedCurve*> EcCurveOf(Reader& alg, std::string_view what) {
  if (!alg.NextTagIs(kOid)) {
    return InvalidArgument(std::string(what) +
                           ": EC keys with explicit curve parameters are not supported; use a "
                           "named curve (P-256, P-384)");
  }
  XCERT_ASSIGN_OR_RETURN(Tlv curve_oid, alg.Read(kOid, what));
  const oids::NamedCurve* curve = oids::FindCurve(curve_oid.value);
  if (curve == nullptr) {
    XCERT_ASSIGN_OR_RETURN(std::string dotted, OidToText(curve_oid.value, what));
    return InvalidArgument(std::string(what) + ": EC curve " + dotted +
                           " is not supported (P-256, P-384 and P-521 are)");
  }
  return curve;
}

}  // namespace

Result<std::vector<Rdn>> DecodeName(const Tlv& name, std::string_view what) {
  if (name.tag != kSequence)
    return Malformed(what, "expected SEQUENCE, found " + TagName(name.tag));
  std::vector<Rdn> rdns;
  Reader r(name.value);
  while (!r.AtEnd()) {
    XCERT_ASSIGN_OR_RETURN(Tlv rdn, r.Read(kSet, what));
    XCERT_RETURN_IF_ERROR(DecodeRdn(rdn, what, &rdns));
  }
  std::reverse(rdns.begin(), rdns.end());
  return rdns;
}

Result<std::string_view> IntegerBytes(const Tlv& t, std::string_view what) {
  if (t.tag != kInteger) return Malformed(what, "expected INTEGER, found " + TagName(t.tag));
  const std::string_view v = t.value;
  if (v.empty()) return Malformed(what, "empty INTEGER");
  if (v.size() > 1 && ((v[0] == 0 && !(uint8_t(v[1]) & 0x80)) ||
                       (uint8_t(v[0]) == 0xff && (uint8_t(v[1]) & 0x80)))) {
    return Malformed(what, "INTEGER is not minimally encoded (not DER)");
  }
  return v;
}

Result<PublicKeyFacts> DecodePublicKeyInfo(const Tlv& spki, std::string_view what) {
  if (spki.tag != kSequence)
    return Malformed(what, "expected SEQUENCE, found " + TagName(spki.tag));
  Reader r(spki.value);
  XCERT_ASSIGN_OR_RETURN(Tlv algorithm, r.Read(kSequence, what));
  XCERT_ASSIGN_OR_RETURN(Tlv bits, r.Read(kBitString, what));
  XCERT_RETURN_IF_ERROR(r.ExpectEnd(what));
  PublicKeyFacts facts;
  XCERT_ASSIGN_OR_RETURN(facts.key, BitStringBytes(bits, what));
  Reader alg(algorithm.value);
  XCERT_ASSIGN_OR_RETURN(Tlv oid, alg.Read(kOid, what));
  if (oid.value == oids::kRsaEncryption || oid.value == oids::kRsassaPss) {
    facts.algorithm = KeyAlgorithm::kRsa;
    XCERT_ASSIGN_OR_RETURN(facts.bits, RsaModulusBits(facts.key, what));
    return facts;
  }
  if (oid.value == oids::kEcPublicKey) {
    XCERT_ASSIGN_OR_RETURN(const oids::NamedCurve* curve, EcCurveOf(alg, what));
    facts.algorithm = KeyAlgorithm::kEcdsa;
    facts.curve = curve->curve;
    facts.bits = curve->bits;
    return facts;
  }
  XCERT_ASSIGN_OR_RETURN(std::string dotted, OidToText(oid.value, what));
  return InvalidArgument(std::string(what) + ": public key algorithm " + dotted +
                         " is not supported; xcert handles RSA and ECDSA keys");
}

Result<PublicKeyFacts> DecodePublicKeyInfoDer(std::string_view spki_der) {
  Reader r(spki_der);
  XCERT_ASSIGN_OR_RETURN(Tlv spki, r.Read(kSequence, "SubjectPublicKeyInfo"));
  XCERT_RETURN_IF_ERROR(r.ExpectEnd("SubjectPublicKeyInfo"));
  return DecodePublicKeyInfo(spki, "SubjectPublicKeyInfo");
}

}  // namespace xcert::x509::der
