#include "resources/x509/builder.h"

#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "resources/x509/openssl_util.h"
#include "resources/x509/parse.h"
#include "resources/x509/pem.h"
#include "tests/resources/x509/x509_test_util.h"

namespace xcert::x509 {
namespace {

using testing::Ec;
using testing::Openssl;
using testing::Rsa;
using testing::TempDir;
using testing::TestKey;
using testing::Utc;

CertificateTemplate Leaf(std::vector<std::string> names = {"mail.contoso.com",
                                                           "autodiscover.contoso.com"}) {
  CertificateTemplate t;
  t.subject = "CN=mail.contoso.com, O=Contoso, C=DE";
  t.dns_names = std::move(names);
  t.not_before = Utc(2024, 1, 1);
  t.not_after = Utc(2025, 1, 1);
  return t;
}

CertificateTemplate Ca() {
  CertificateTemplate t;
  t.subject = "CN=Contoso Root CA, O=Contoso";
  t.not_before = Utc(2020, 1, 1);
  t.not_after = Utc(2040, 1, 1);
  t.is_ca = true;
  return t;
}

// `openssl x509 -text` of `der`.
std::string Text(const TempDir& dir, const std::string& der) {
  dir.Write("t.pem", ToPem("CERTIFICATE", der));
  return Openssl({"x509", "-in", "t.pem", "-noout", "-text"}, dir);
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(SelfSignTest, RsaLeafHasEveryExtension) {
  TempDir dir;
  const PrivateKey& key = TestKey(Rsa());
  auto der = SelfSign(Leaf(), key);
  ASSERT_TRUE(der.ok()) << der.status().message();
  const std::string text = Text(dir, *der);
  EXPECT_TRUE(Has(text, "Version: 3 (0x2)")) << text;
  EXPECT_TRUE(Has(text, "Signature Algorithm: sha256WithRSAEncryption")) << text;
  EXPECT_TRUE(Has(text, "Subject: C = DE, O = Contoso, CN = mail.contoso.com")) << text;
  EXPECT_TRUE(Has(text, "Issuer: C = DE, O = Contoso, CN = mail.contoso.com")) << text;
  EXPECT_TRUE(Has(text, "Not Before: Jan  1 00:00:00 2024 GMT")) << text;
  EXPECT_TRUE(Has(text, "Not After : Jan  1 00:00:00 2025 GMT")) << text;
  EXPECT_TRUE(Has(text, "X509v3 Basic Constraints: critical\n                CA:FALSE")) << text;
  EXPECT_TRUE(Has(text,
                  "X509v3 Key Usage: critical\n                Digital Signature, Key "
                  "Encipherment\n"))
      << text;
  EXPECT_TRUE(Has(text,
                  "X509v3 Extended Key Usage: \n                TLS Web Server "
                  "Authentication\n"))
      << text;
  EXPECT_TRUE(Has(text, "DNS:mail.contoso.com, DNS:autodiscover.contoso.com")) << text;
  EXPECT_TRUE(Has(text, "X509v3 Subject Key Identifier")) << text;
  EXPECT_FALSE(Has(text, "Authority Key Identifier")) << text;
}

TEST(SelfSignTest, SerialIsRandomPositive128Bit) {
  const PrivateKey& key = TestKey(Ec());
  std::set<std::string> serials;
  for (int i = 0; i < 20; ++i) {
    auto der = SelfSign(Leaf(), key);
    ASSERT_TRUE(der.ok());
    auto info = ParseCertificate(*der);
    ASSERT_TRUE(info.ok()) << info.status().message();
    ASSERT_EQ(info->serial.size(), 32u) << info->serial;  // 16 octets, no sign octet
    EXPECT_LT(info->serial[0], '8') << info->serial;      // positive
    serials.insert(info->serial);
  }
  EXPECT_EQ(serials.size(), 20u);
}

TEST(SelfSignTest, EcLeafsUseDigitalSignatureAndMatchingDigest) {
  TempDir dir;
  auto p256 = SelfSign(Leaf(), TestKey(Ec(EcCurve::kP256)));
  ASSERT_TRUE(p256.ok()) << p256.status().message();
  std::string text = Text(dir, *p256);
  EXPECT_TRUE(Has(text, "Signature Algorithm: ecdsa-with-SHA256")) << text;
  EXPECT_TRUE(Has(text, "X509v3 Key Usage: critical\n                Digital Signature\n")) << text;
  auto p384 = SelfSign(Leaf(), TestKey(Ec(EcCurve::kP384)));
  ASSERT_TRUE(p384.ok());
  text = Text(dir, *p384);
  EXPECT_TRUE(Has(text, "Signature Algorithm: ecdsa-with-SHA384")) << text;
}

TEST(SelfSignTest, ClientAuthAndNoEkuAndNoNames) {
  TempDir dir;
  CertificateTemplate t = Leaf({});
  t.client_auth = true;
  auto both = SelfSign(t, TestKey(Ec()));
  ASSERT_TRUE(both.ok());
  std::string text = Text(dir, *both);
  EXPECT_TRUE(Has(text, "TLS Web Server Authentication, TLS Web Client Authentication")) << text;
  EXPECT_FALSE(Has(text, "Subject Alternative Name")) << text;
  t.no_eku = true;
  auto auth = SelfSign(t, TestKey(Ec()));
  ASSERT_TRUE(auth.ok());
  text = Text(dir, *auth);
  EXPECT_FALSE(Has(text, "Extended Key Usage")) << text;
}

TEST(SelfSignTest, CaCertificate) {
  TempDir dir;
  auto ca = SelfSign(Ca(), TestKey(Ec(EcCurve::kP384)));
  ASSERT_TRUE(ca.ok()) << ca.status().message();
  const std::string text = Text(dir, *ca);
  EXPECT_TRUE(Has(text, "X509v3 Basic Constraints: critical\n                CA:TRUE\n")) << text;
  EXPECT_TRUE(Has(text, "X509v3 Key Usage: critical\n                Certificate Sign, CRL Sign\n"))
      << text;
  EXPECT_FALSE(Has(text, "Extended Key Usage")) << text;
  auto info = ParseCertificateOpenSsl(*ca);
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->is_ca);
  EXPECT_TRUE(info->self_signed);
}

TEST(SelfSignTest, FarFutureUsesGeneralizedTime) {
  CertificateTemplate t = Leaf();
  t.not_before = Utc(2049, 12, 31, 23, 59, 59);
  t.not_after = Utc(2150, 6, 1, 12, 30, 0);
  auto der = SelfSign(t, TestKey(Ec()));
  ASSERT_TRUE(der.ok()) << der.status().message();
  // UTCTime "491231235959Z" then GeneralizedTime "21500601123000Z".
  EXPECT_NE(der->find("\x17\x0d"
                      "491231235959Z"),
            std::string::npos);
  EXPECT_NE(der->find("\x18\x0f"
                      "21500601123000Z"),
            std::string::npos);
  auto info = ParseCertificate(*der);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->not_before, t.not_before);
  EXPECT_EQ(info->not_after, t.not_after);
}

TEST(SelfSignTest, RejectsBadTemplates) {
  const PrivateKey& key = TestKey(Ec());
  CertificateTemplate t = Leaf();
  t.not_after = t.not_before;
  EXPECT_EQ(SelfSign(t, key).status().message(),
            "the validity ends (2024-01-01T00:00:00Z) before it starts (2024-01-01T00:00:00Z)");
  t = Leaf({"mail.contoso.com", "bad_name.contoso.com"});
  EXPECT_EQ(SelfSign(t, key).status().message(),
            "DNS name 'bad_name.contoso.com' is not valid: character '_' is not allowed (letters, "
            "digits and hyphens only)");
  t = Leaf();
  t.subject = "CN=a, X=b";
  EXPECT_EQ(SelfSign(t, key).status().message(),
            "subject 'CN=a, X=b': unknown attribute type 'X' (known: CN, O, OU, L, S, C, DC, E, "
            "SERIALNUMBER, STREET, POSTALCODE)");
  EXPECT_EQ(SelfSign(Leaf(), PrivateKey()).status().message(), "self-signing needs a private key");
}

TEST(SignWithCaTest, LeafChainsToCaForOpenssl) {
  TempDir dir;
  const PrivateKey& ca_key = TestKey(Rsa());
  auto ca = SelfSign(Ca(), ca_key);
  ASSERT_TRUE(ca.ok());
  const PrivateKey& leaf_key = TestKey(Ec());
  auto leaf = SignWithCa(Leaf(), leaf_key.PublicKeyDer(), *ca, ca_key);
  ASSERT_TRUE(leaf.ok()) << leaf.status().message();
  dir.Write("ca.pem", ToPem("CERTIFICATE", *ca));
  dir.Write("leaf.pem", ToPem("CERTIFICATE", *leaf));
  EXPECT_EQ(Openssl({"verify", "-attime", "1710000000", "-purpose", "sslserver", "-CAfile",
                     "ca.pem", "leaf.pem"},
                    dir),
            "leaf.pem: OK\n");
  auto ca_info = ParseCertificate(*ca);
  auto info = ParseCertificate(*leaf);
  ASSERT_TRUE(info.ok() && ca_info.ok());
  EXPECT_EQ(info->issuer, "CN=Contoso Root CA, O=Contoso");
  EXPECT_EQ(info->authority_key_id, ca_info->subject_key_id);
  EXPECT_EQ(info->subject_key_id, leaf_key.PublicKeySha1());
  EXPECT_EQ(info->signature_algorithm, "sha256WithRSAEncryption");  // the CA's key signs
  EXPECT_FALSE(info->self_signed);
  EXPECT_TRUE(leaf_key.Matches(*leaf));
  const std::string text = Text(dir, *leaf);
  EXPECT_TRUE(Has(text, "X509v3 Key Usage: critical\n                Digital Signature\n")) << text;
}

TEST(SignWithCaTest, UsesTheCasOwnSubjectKeyIdentifier) {
  // A CA made by the openssl CLI with a non-default SKI: the leaf's AKI must
  // repeat it, or chain building by key identifier fails.
  TempDir dir;
  dir.Write("ca.key", TestKey(Ec()).ToPkcs8Pem());
  Openssl({"req", "-x509", "-key", "ca.key", "-subj", "/CN=CLI CA", "-days", "3650", "-addext",
           "subjectKeyIdentifier=0102030405", "-addext", "basicConstraints=critical,CA:TRUE",
           "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", "ca.pem"},
          dir);
  const std::string ca = testing::PemToDer(testing::ReadFile(dir, "ca.pem"));
  auto leaf = SignWithCa(Leaf(), TestKey(Rsa()).PublicKeyDer(), ca, TestKey(Ec()));
  ASSERT_TRUE(leaf.ok()) << leaf.status().message();
  auto info = ParseCertificate(*leaf);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->authority_key_id, "0102030405");
  EXPECT_EQ(info->issuer, "CN=CLI CA");
}

TEST(SignWithCaTest, RejectsMismatchedKeyAndNonCa) {
  const PrivateKey& ca_key = TestKey(Ec());
  auto ca = SelfSign(Ca(), ca_key);
  ASSERT_TRUE(ca.ok());
  const std::string spki = TestKey(Rsa()).PublicKeyDer();
  EXPECT_EQ(SignWithCa(Leaf(), spki, *ca, TestKey(Ec(EcCurve::kP384))).status().message(),
            "the CA key does not belong to the CA certificate 'CN=Contoso Root CA, O=Contoso'; "
            "check the issuer's certificate and key files");
  auto not_ca = SelfSign(Leaf(), ca_key);
  ASSERT_TRUE(not_ca.ok());
  auto r = SignWithCa(Leaf(), spki, *not_ca, ca_key);
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().message(),
            "the CA certificate 'CN=mail.contoso.com, O=Contoso, C=DE' is not a CA certificate "
            "(basicConstraints CA:TRUE is missing)");
  EXPECT_EQ(SignWithCa(Leaf(), "junk", *ca, ca_key).status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(SignWithCa(Leaf(), "junk", *ca, ca_key)
                  .status()
                  .message()
                  .starts_with("not a SubjectPublicKeyInfo (DER)"));
  EXPECT_TRUE(SignWithCa(Leaf(), spki, "junk", ca_key)
                  .status()
                  .message()
                  .starts_with("the CA certificate: not a DER certificate"));
}

TEST(SignWithCaTest, SignsConcurrentlyWithOneCaKey) {
  // apply issues certificates for many servers at once with one CA key.
  const PrivateKey& ca_key = TestKey(Rsa());
  auto ca = SelfSign(Ca(), ca_key);
  ASSERT_TRUE(ca.ok());
  std::vector<std::vector<std::string>> serials(6);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < serials.size(); ++i) {
    threads.emplace_back([&, i] {
      const PrivateKey& leaf_key = TestKey(i % 2 ? Ec() : Ec(EcCurve::kP384));
      for (int k = 0; k < 5; ++k) {
        // Both forms: from the public key's DER, and from the key itself.
        auto der = k % 2 ? SignWithCa(Leaf(), leaf_key.PublicKeyDer(), *ca, ca_key)
                         : SignWithCa(Leaf(), leaf_key, *ca, ca_key);
        auto info =
            der.ok() ? ParseCertificateOpenSsl(*der) : Result<CertificateInfo>(der.status());
        serials[i].push_back(info.ok() ? info->serial : info.status().message());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> unique;
  for (const auto& list : serials) {
    for (const std::string& s : list) {
      EXPECT_EQ(s.size(), 32u) << s;
      unique.insert(s);
    }
  }
  EXPECT_EQ(unique.size(), 30u);
}

TEST(SignWithCaTest, FromTheKeyCertifiesItsPublicHalf) {
  const PrivateKey& ca_key = TestKey(Rsa());
  auto ca = SelfSign(Ca(), ca_key);
  ASSERT_TRUE(ca.ok());
  const PrivateKey& leaf_key = TestKey(Ec());
  auto der = SignWithCa(Leaf(), leaf_key, *ca, ca_key);
  ASSERT_TRUE(der.ok()) << der.status().message();
  EXPECT_TRUE(leaf_key.Matches(*der));
  EXPECT_FALSE(TestKey(Ec(EcCurve::kP384)).Matches(*der));
  EXPECT_FALSE(SignWithCa(Leaf(), PrivateKey(), *ca, ca_key).ok()) << "no key, no certificate";
}

}  // namespace
}  // namespace xcert::x509
