#include "resources/x509/der_x509.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "resources/x509/openssl_util.h"
#include "tests/resources/x509/x509_test_util.h"

namespace xcert::x509::der {
namespace {

using namespace std::string_literals;
using testing::Ec;
using testing::Rsa;
using testing::TestKey;

// SEQUENCE/SET/... with a short-form length (enough for these tests).
std::string Tl(uint8_t tag, const std::string& value) {
  return std::string(1, char(tag)) + char(value.size()) + value;
}

std::string Atv(const std::string& oid, uint8_t string_tag, const std::string& value) {
  return Tl(kSet, Tl(kSequence, Tl(kOid, oid) + Tl(string_tag, value)));
}

Result<std::vector<Rdn>> Decode(const std::string& name_der) {
  Reader r(name_der);
  auto tlv = r.Read("name");
  if (!tlv.ok()) return tlv.status();
  return DecodeName(*tlv, "subject");
}

TEST(DecodeNameTest, MostSpecificFirstWithShortNames) {
  const std::string name = Tl(kSequence, Atv("\x55\x04\x06", kPrintableString, "DE") +
                                             Atv("\x55\x04\x0a", kUtf8String, "Contoso, Ltd") +
                                             Atv("\x55\x04\x03", kUtf8String, "mail.contoso.com"));
  auto rdns = Decode(name);
  ASSERT_TRUE(rdns.ok()) << rdns.status().message();
  EXPECT_EQ(FormatDn(*rdns), "CN=mail.contoso.com, O=Contoso\\, Ltd, C=DE");
}

TEST(DecodeNameTest, UnknownTypesAreDottedOids) {
  // organizationIdentifier (2.5.4.97) and jurisdictionC, common in EV subjects.
  const std::string name =
      Tl(kSequence, Atv("\x2b\x06\x01\x04\x01\x82\x37\x3c\x02\x01\x03"s, kPrintableString, "DE") +
                        Atv("\x55\x04\x61", kUtf8String, "VATDE-123") +
                        Atv("\x09\x92\x26\x89\x93\xf2\x2c\x64\x01\x19"s, kIa5String, "contoso"));
  auto rdns = Decode(name);
  ASSERT_TRUE(rdns.ok()) << rdns.status().message();
  EXPECT_EQ(FormatDn(*rdns), "DC=contoso, 2.5.4.97=VATDE-123, 1.3.6.1.4.1.311.60.2.1.3=DE");
}

TEST(DecodeNameTest, FlattensMultiValuedRdns) {
  const std::string two = Tl(kSequence, Tl(kOid, "\x55\x04\x0b") + Tl(kUtf8String, "IT")) +
                          Tl(kSequence, Tl(kOid, "\x55\x04\x03") + Tl(kUtf8String, "host"));
  const std::string name = Tl(kSequence, Atv("\x55\x04\x0a", kUtf8String, "O1") + Tl(kSet, two));
  auto rdns = Decode(name);
  ASSERT_TRUE(rdns.ok()) << rdns.status().message();
  EXPECT_EQ(FormatDn(*rdns), "CN=host, OU=IT, O=O1");
}

TEST(DecodeNameTest, EmptyNameIsEmpty) {
  auto rdns = Decode("\x30\x00"s);
  ASSERT_TRUE(rdns.ok());
  EXPECT_TRUE(rdns->empty());
}

TEST(DecodeNameTest, MalformedNamesAreErrors) {
  EXPECT_EQ(Decode(Tl(kSequence, Tl(kSet, ""))).status().message(),
            "malformed subject: empty RelativeDistinguishedName");
  EXPECT_EQ(Decode(Tl(kSequence, Tl(kSequence, ""))).status().message(),
            "malformed subject: expected SET, found SEQUENCE");
  EXPECT_EQ(Decode(Tl(kSequence, Atv("\x55\x04\x03", kUtf8String, "\xff"))).status().message(),
            "malformed subject: UTF8String is not valid UTF-8");
  EXPECT_EQ(Decode(Tl(kSequence, Atv("\x55\x04\x03", kInteger, "\x01"))).status().message(),
            "malformed subject: expected a string, found INTEGER");
}

TEST(IntegerBytesTest, RequiresMinimalEncoding) {
  EXPECT_EQ(*IntegerBytes({kInteger, "\x00\x80"s}, "serial"), "\x00\x80"s);
  EXPECT_EQ(*IntegerBytes({kInteger, "\xff\x7f"s}, "serial"), "\xff\x7f"s);
  EXPECT_EQ(IntegerBytes({kInteger, "\x00\x01"s}, "serialNumber").status().message(),
            "malformed serialNumber: INTEGER is not minimally encoded (not DER)");
  EXPECT_FALSE(IntegerBytes({kInteger, "\xff\x80"s}, "s").ok());
  EXPECT_EQ(IntegerBytes({kInteger, ""}, "s").status().message(), "malformed s: empty INTEGER");
}

TEST(DecodePublicKeyInfoTest, RsaModulusBits) {
  for (int bits : {2048, 3072}) {
    const PrivateKey& key = TestKey(Rsa(bits));
    auto facts = DecodePublicKeyInfoDer(key.PublicKeyDer());
    ASSERT_TRUE(facts.ok()) << facts.status().message();
    EXPECT_EQ(facts->algorithm, KeyAlgorithm::kRsa);
    EXPECT_EQ(facts->bits, bits);
    EXPECT_EQ(facts->curve, EcCurve::kNone);
  }
}

TEST(DecodePublicKeyInfoTest, EcCurves) {
  auto p256 = DecodePublicKeyInfoDer(TestKey(Ec(EcCurve::kP256)).PublicKeyDer());
  ASSERT_TRUE(p256.ok()) << p256.status().message();
  EXPECT_EQ(p256->algorithm, KeyAlgorithm::kEcdsa);
  EXPECT_EQ(p256->curve, EcCurve::kP256);
  EXPECT_EQ(p256->bits, 256);
  EXPECT_EQ(p256->key.size(), 65u);  // uncompressed point
  auto p384 = DecodePublicKeyInfoDer(TestKey(Ec(EcCurve::kP384)).PublicKeyDer());
  ASSERT_TRUE(p384.ok());
  EXPECT_EQ(p384->curve, EcCurve::kP384);
  EXPECT_EQ(p384->bits, 384);
  EvpPkeyPtr p521(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521"));
  auto facts = DecodePublicKeyInfoDer(PublicKeyToDer(p521.get()));
  ASSERT_TRUE(facts.ok());
  EXPECT_EQ(facts->curve, EcCurve::kNone);
  EXPECT_EQ(facts->bits, 521);
}

TEST(DecodePublicKeyInfoTest, UnsupportedKeysAreNamed) {
  EvpPkeyPtr ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  EXPECT_EQ(DecodePublicKeyInfoDer(PublicKeyToDer(ed.get())).status().message(),
            "SubjectPublicKeyInfo: public key algorithm 1.3.101.112 is not supported; xcert "
            "handles RSA and ECDSA keys");
  EvpPkeyPtr k1(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp256k1"));
  EXPECT_EQ(DecodePublicKeyInfoDer(PublicKeyToDer(k1.get())).status().message(),
            "SubjectPublicKeyInfo: EC curve 1.3.132.0.10 is not supported (P-256, P-384 and "
            "P-521 are)");
}

TEST(DecodePublicKeyInfoTest, TrailingBytesAreErrors) {
  std::string spki = TestKey(Ec()).PublicKeyDer();
  EXPECT_EQ(DecodePublicKeyInfoDer(spki + "x").status().message(),
            "malformed SubjectPublicKeyInfo: 1 unexpected bytes at its end");
}

}  // namespace
}  // namespace xcert::x509::der
