#include "resources/x509/oids.h"

#include <string>

#include <gtest/gtest.h>
#include <openssl/objects.h>

#include "resources/x509/der.h"

namespace xcert::x509::oids {
namespace {

// Both parsers must name things alike: the DER walker uses these tables,
// the OpenSSL parser asks OpenSSL. These tests hold the tables to OpenSSL.

TEST(OidsTest, SignatureAlgorithmNamesAreOpenSslLongNames) {
  for (const SignatureAlgorithm& a : SignatureAlgorithms()) {
    const int nid = OBJ_txt2nid(std::string(a.dotted).c_str());
    ASSERT_NE(nid, NID_undef) << a.dotted;
    EXPECT_EQ(a.name, OBJ_nid2ln(nid)) << a.dotted;
    EXPECT_EQ(SignatureAlgorithmName(der::EncodeOid(a.dotted)), a.name);
  }
  EXPECT_EQ(SignatureAlgorithmName(der::EncodeOid("1.2.3.4")), "");
}

TEST(OidsTest, AttributeTypesMatchOpenSslNids) {
  for (const AttributeType& t : AttributeTypes()) {
    EXPECT_EQ(OBJ_txt2nid(std::string(t.dotted).c_str()), t.nid) << t.dotted;
    EXPECT_EQ(AttributeTypeName(der::EncodeOid(t.dotted)), t.short_name);
    EXPECT_EQ(AttributeTypeNid(t.short_name), t.nid);
  }
  EXPECT_EQ(AttributeTypeName(der::EncodeOid("2.5.4.97")), "");
  EXPECT_EQ(AttributeTypeNid("XYZ"), NID_undef);
}

TEST(OidsTest, AttributeTypesCoverEveryDnShortName) {
  for (const char* name :
       {"CN", "O", "OU", "L", "S", "C", "DC", "E", "SERIALNUMBER", "STREET", "POSTALCODE"}) {
    EXPECT_NE(AttributeTypeNid(name), NID_undef) << name;
  }
}

TEST(OidsTest, CurvesAreOpenSslCurves) {
  EXPECT_EQ(OBJ_txt2nid("1.2.840.10045.3.1.7"), NID_X9_62_prime256v1);
  EXPECT_EQ(OBJ_txt2nid("1.3.132.0.34"), NID_secp384r1);
  EXPECT_EQ(OBJ_txt2nid("1.3.132.0.35"), NID_secp521r1);
  const NamedCurve* p256 = FindCurve(der::EncodeOid("1.2.840.10045.3.1.7"));
  ASSERT_NE(p256, nullptr);
  EXPECT_EQ(p256->curve, EcCurve::kP256);
  EXPECT_EQ(p256->bits, 256);
  EXPECT_EQ(FindCurve(der::EncodeOid("1.3.132.0.10")), nullptr);
  EXPECT_EQ(NamedCurves().size(), 3u);
}

TEST(OidsTest, FixedOidsAreTheirDottedForms) {
  EXPECT_EQ(kRsaEncryption, der::EncodeOid("1.2.840.113549.1.1.1"));
  EXPECT_EQ(kRsassaPss, der::EncodeOid("1.2.840.113549.1.1.10"));
  EXPECT_EQ(kEcPublicKey, der::EncodeOid("1.2.840.10045.2.1"));
  EXPECT_EQ(kSubjectKeyIdentifier, der::EncodeOid("2.5.29.14"));
  EXPECT_EQ(kSubjectAltName, der::EncodeOid("2.5.29.17"));
  EXPECT_EQ(kBasicConstraints, der::EncodeOid("2.5.29.19"));
  EXPECT_EQ(kAuthorityKeyIdentifier, der::EncodeOid("2.5.29.35"));
}

}  // namespace
}  // namespace xcert::x509::oids
