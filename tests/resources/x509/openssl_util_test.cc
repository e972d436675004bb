#include "resources/x509/openssl_util.h"

#include <gtest/gtest.h>
#include <openssl/err.h>

#include "tests/resources/x509/x509_test_util.h"

namespace xcert::x509 {
namespace {

using testing::Utc;

TEST(OpenSslErrorTest, AppendsAndDrainsReasons) {
  const unsigned char junk[] = {0x30, 0x03, 0x01};
  const unsigned char* p = junk;
  EXPECT_EQ(d2i_X509(nullptr, &p, sizeof junk), nullptr);
  const Status s = OpenSslError("reading x", Code::kInvalidArgument);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_TRUE(s.message().starts_with("reading x: ")) << s.message();
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_EQ(OpenSslError("nothing queued").message(), "nothing queued");
  EXPECT_EQ(OpenSslError("nothing queued").code(), Code::kInternal);
}

TEST(NameTest, DisplayRoundTripKeepsOrderAndEscapes) {
  const std::string display = "CN=mail.contoso.com, OU=IT\\, Ops, O=M\xc3\xbcller + Co, C=DE";
  auto name = NameFromDisplay(display);
  ASSERT_TRUE(name.ok()) << name.status().message();
  // DER order is the reverse: C first.
  EXPECT_EQ(OBJ_obj2nid(X509_NAME_ENTRY_get_object(X509_NAME_get_entry(name->get(), 0))),
            NID_countryName);
  auto rdns = NameToRdns(name->get());
  ASSERT_TRUE(rdns.ok());
  EXPECT_EQ(FormatDn(*rdns), "CN=mail.contoso.com, OU=IT\\, Ops, O=M\xc3\xbcller \\+ Co, C=DE");
}

TEST(NameTest, BadDisplayNamesAreErrors) {
  EXPECT_EQ(NameFromDisplay("XX=a").status().message(),
            "unknown attribute type 'XX' (known: CN, O, OU, L, S, C, DC, E, SERIALNUMBER, "
            "STREET, POSTALCODE)");
}

TEST(NameTest, BmpAndT61ValuesDecodeToUtf8) {
  X509NamePtr name(X509_NAME_new());
  const unsigned char bmp[] = {0x00, 'M', 0x00, 0xfc};
  const unsigned char t61[] = {'M', 0xfc};
  X509_NAME_add_entry_by_NID(name.get(), NID_organizationName, V_ASN1_BMPSTRING, bmp, 4, -1, 0);
  X509_NAME_add_entry_by_NID(name.get(), NID_commonName, V_ASN1_T61STRING, t61, 2, -1, 0);
  X509_NAME_add_entry_by_txt(name.get(), "2.5.4.97", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("VAT"), 3, -1, 0);
  auto rdns = NameToRdns(name.get());
  ASSERT_TRUE(rdns.ok());
  EXPECT_EQ(FormatDn(*rdns), "2.5.4.97=VAT, CN=M\xc3\xbc, O=M\xc3\xbc");
}

TEST(TimeTest, RoundTripsAcrossTheUtcTimeWindow) {
  for (TimePoint t : {Utc(1950, 1, 1), Utc(1999, 12, 31, 23, 59, 59), Utc(2049, 12, 31, 23, 59, 59),
                      Utc(2050, 1, 1), Utc(2199, 6, 30, 12, 0, 1)}) {
    OpenSslPtr<ASN1_TIME, ASN1_TIME_free> a(ASN1_TIME_new());
    ASSERT_TRUE(SetAsn1Time(a.get(), t));
    EXPECT_EQ(ASN1_STRING_type(a.get()),
              t < Utc(2050, 1, 1) ? V_ASN1_UTCTIME : V_ASN1_GENERALIZEDTIME);
    auto back = TimeFromAsn1(a.get());
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, t) << FormatIso8601(t);
  }
}

TEST(IntegerHexTest, WindowsStyleSerials) {
  Asn1IntegerPtr i(ASN1_INTEGER_new());
  ASN1_INTEGER_set_uint64(i.get(), 0x1000);
  EXPECT_EQ(IntegerHex(i.get()), "1000");
  ASN1_INTEGER_set_uint64(i.get(), 0xC3);
  EXPECT_EQ(IntegerHex(i.get()), "00C3");  // the sign octet stays, as Windows shows it
  ASN1_INTEGER_set_int64(i.get(), -1);
  EXPECT_EQ(IntegerHex(i.get()), "FF");
  ASN1_INTEGER_set_uint64(i.get(), 0);
  EXPECT_EQ(IntegerHex(i.get()), "00");
}

TEST(AlgorithmNameTest, LongNamesOrDottedText) {
  EXPECT_EQ(AlgorithmName(OBJ_nid2obj(NID_sha256WithRSAEncryption)), "sha256WithRSAEncryption");
  OpenSslPtr<ASN1_OBJECT, ASN1_OBJECT_free> unknown(OBJ_txt2obj(
      "1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20.21.22.23.24.25.26.27.28.29.30", 1));
  EXPECT_EQ(AlgorithmName(unknown.get()),
            "1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20.21.22.23.24.25.26.27.28.29.30");
}

TEST(DescribeKeyTest, SupportedAndUnsupportedKeys) {
  auto rsa = DescribeKey(testing::TestKey(testing::Rsa()).get());
  ASSERT_TRUE(rsa.ok());
  EXPECT_EQ(rsa->algorithm, KeyAlgorithm::kRsa);
  EXPECT_EQ(rsa->bits, 2048);
  auto ec = DescribeKey(testing::TestKey(testing::Ec(EcCurve::kP384)).get());
  ASSERT_TRUE(ec.ok());
  EXPECT_EQ(ec->algorithm, KeyAlgorithm::kEcdsa);
  EXPECT_EQ(ec->curve, EcCurve::kP384);
  EXPECT_EQ(ec->bits, 384);
  EvpPkeyPtr ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  EXPECT_EQ(DescribeKey(ed.get()).status().message(),
            "public key algorithm ED25519 is not supported; xcert handles RSA and ECDSA keys");
  EvpPkeyPtr k1(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp256k1"));
  EXPECT_EQ(DescribeKey(k1.get()).status().message(),
            "EC curve secp256k1 is not supported (P-256, P-384 and P-521 are)");
  EXPECT_EQ(DescribeKey(nullptr).status().message(), "there is no public key");
}

TEST(CertificateFromDerTest, RejectsTrailingBytesAndGarbage) {
  EXPECT_FALSE(CertificateFromDer("garbage").ok());
  EXPECT_EQ(CertificateFromDer("garbage").status().code(), Code::kInvalidArgument);
}

TEST(BioTest, MemoryBioRoundTrip) {
  BioPtr in = MemoryBio("hello");
  char buf[8] = {};
  EXPECT_EQ(BIO_read(in.get(), buf, sizeof buf), 5);
  EXPECT_STREQ(buf, "hello");
  BioPtr out(BIO_new(BIO_s_mem()));
  BIO_write(out.get(), "abc", 3);
  EXPECT_EQ(BioContents(out.get()), "abc");
}

}  // namespace
}  // namespace xcert::x509
