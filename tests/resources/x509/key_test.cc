#include "resources/x509/key.h"

#include <thread>

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "engine/util/strings.h"
#include "resources/x509/builder.h"
#include "resources/x509/parse.h"
#include "tests/resources/x509/x509_test_util.h"

namespace xcert::x509 {
namespace {

using testing::Ec;
using testing::Openssl;
using testing::ReadFile;
using testing::Rsa;
using testing::TempDir;
using testing::TestKey;

TEST(PrivateKeyTest, GeneratesEverySupportedSpec) {
  struct Case {
    KeySpec spec;
    KeyAlgorithm algorithm;
    int bits;
    EcCurve curve;
  };
  for (const Case& c : {Case{Rsa(2048), KeyAlgorithm::kRsa, 2048, EcCurve::kNone},
                        Case{Rsa(3072), KeyAlgorithm::kRsa, 3072, EcCurve::kNone},
                        Case{Rsa(4096), KeyAlgorithm::kRsa, 4096, EcCurve::kNone},
                        Case{Ec(EcCurve::kP256), KeyAlgorithm::kEcdsa, 256, EcCurve::kP256},
                        Case{Ec(EcCurve::kP384), KeyAlgorithm::kEcdsa, 384, EcCurve::kP384}}) {
    const PrivateKey& key = TestKey(c.spec);
    ASSERT_TRUE(key.valid()) << c.spec.ToString();
    EXPECT_EQ(key.algorithm(), c.algorithm);
    EXPECT_EQ(key.bits(), c.bits);
    EXPECT_EQ(key.curve(), c.curve);
  }
}

TEST(PrivateKeyTest, RejectsUnsupportedSpecs) {
  EXPECT_EQ(PrivateKey::Generate(Rsa(1024)).status().message(),
            "RSA key size 1024 is not supported; use 2048, 3072 or 4096");
  EXPECT_EQ(PrivateKey::Generate(Ec(EcCurve::kNone)).status().message(),
            "an ECDSA key needs a curve: P-256 or P-384");
}

TEST(PrivateKeyTest, InvalidKeyIsHarmless) {
  PrivateKey none;
  EXPECT_FALSE(none.valid());
  EXPECT_EQ(none.ToPkcs8Pem(), "");
  EXPECT_EQ(none.PublicKeyDer(), "");
  EXPECT_EQ(none.PublicKeySha1(), "");
  EXPECT_EQ(none.bits(), 0);
  EXPECT_FALSE(none.Matches("x"));
}

TEST(PrivateKeyTest, Pkcs8PemRoundTripsAndOpensslReadsIt) {
  TempDir dir;
  for (const KeySpec& spec : {Rsa(), Ec(EcCurve::kP256), Ec(EcCurve::kP384)}) {
    const PrivateKey& key = TestKey(spec);
    const std::string pem = key.ToPkcs8Pem();
    EXPECT_TRUE(pem.starts_with("-----BEGIN PRIVATE KEY-----\n")) << pem.substr(0, 40);
    auto back = PrivateKey::Parse(pem);
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(back->PublicKeyDer(), key.PublicKeyDer());
    dir.Write("k.pem", pem);
    const std::string pub = Openssl({"pkey", "-in", "k.pem", "-pubout", "-outform", "DER"}, dir);
    EXPECT_EQ(pub, key.PublicKeyDer()) << spec.ToString();
  }
}

TEST(PrivateKeyTest, ParsesKeysTheOpensslCliWrites) {
  TempDir dir;
  Openssl({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.pem"},
          dir);
  Openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "ec.pem"},
          dir);
  Openssl({"rsa", "-in", "rsa.pem", "-traditional", "-out", "rsa-trad.pem"}, dir);
  Openssl({"ec", "-in", "ec.pem", "-out", "ec-trad.pem"}, dir);
  Openssl({"pkey", "-in", "rsa.pem", "-outform", "DER", "-out", "rsa.der"}, dir);
  Openssl({"rsa", "-in", "rsa.pem", "-traditional", "-outform", "DER", "-out", "rsa-trad.der"},
          dir);
  Openssl({"ec", "-in", "ec.pem", "-outform", "DER", "-out", "ec-trad.der"}, dir);
  const std::string rsa_pub =
      Openssl({"pkey", "-in", "rsa.pem", "-pubout", "-outform", "DER"}, dir);
  const std::string ec_pub = Openssl({"pkey", "-in", "ec.pem", "-pubout", "-outform", "DER"}, dir);
  EXPECT_TRUE(ReadFile(dir, "rsa-trad.pem").starts_with("-----BEGIN RSA PRIVATE KEY-----"));
  EXPECT_TRUE(ReadFile(dir, "ec-trad.pem").starts_with("-----BEGIN EC PRIVATE KEY-----"));
  for (const char* file : {"rsa.pem", "rsa-trad.pem", "rsa.der", "rsa-trad.der"}) {
    auto key = PrivateKey::Parse(ReadFile(dir, file));
    ASSERT_TRUE(key.ok()) << file << ": " << key.status().message();
    EXPECT_EQ(key->PublicKeyDer(), rsa_pub) << file;
    EXPECT_EQ(key->bits(), 2048);
  }
  for (const char* file : {"ec.pem", "ec-trad.pem", "ec-trad.der"}) {
    auto key = PrivateKey::Parse(ReadFile(dir, file));
    ASSERT_TRUE(key.ok()) << file << ": " << key.status().message();
    EXPECT_EQ(key->PublicKeyDer(), ec_pub) << file;
    EXPECT_EQ(key->curve(), EcCurve::kP384);
  }
}

class EncryptedKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Openssl(
        {"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "plain.pem"},
        dir_);
    public_der_ = Openssl({"pkey", "-in", "plain.pem", "-pubout", "-outform", "DER"}, dir_);
    Openssl({"pkey", "-in", "plain.pem", "-aes256", "-passout", "pass:s3cret", "-out", "p8.pem"},
            dir_);
    Openssl({"pkcs8", "-topk8", "-in", "plain.pem", "-v2", "aes256", "-passout", "pass:s3cret",
             "-outform", "DER", "-out", "p8.der"},
            dir_);
    Openssl({"ec", "-in", "plain.pem", "-aes256", "-passout", "pass:s3cret", "-out", "trad.pem"},
            dir_);
  }
  TempDir dir_;
  std::string public_der_;
};

TEST_F(EncryptedKeyTest, RightPasswordOpensEveryForm) {
  EXPECT_TRUE(ReadFile(dir_, "p8.pem").starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
  EXPECT_NE(ReadFile(dir_, "trad.pem").find("Proc-Type: 4,ENCRYPTED"), std::string::npos);
  for (const char* file : {"p8.pem", "p8.der", "trad.pem"}) {
    auto key = PrivateKey::Parse(ReadFile(dir_, file), "s3cret");
    ASSERT_TRUE(key.ok()) << file << ": " << key.status().message();
    EXPECT_EQ(key->PublicKeyDer(), public_der_) << file;
  }
}

TEST_F(EncryptedKeyTest, MissingPasswordSaysSo) {
  for (const char* file : {"p8.pem", "p8.der", "trad.pem"}) {
    auto key = PrivateKey::Parse(ReadFile(dir_, file));
    ASSERT_FALSE(key.ok()) << file;
    EXPECT_EQ(key.status().code(), Code::kInvalidArgument) << file;
    EXPECT_EQ(key.status().message(), "the private key is encrypted: give its password") << file;
  }
}

TEST_F(EncryptedKeyTest, WrongPasswordSaysSo) {
  for (const char* file : {"p8.pem", "p8.der", "trad.pem"}) {
    auto key = PrivateKey::Parse(ReadFile(dir_, file), "wrong");
    ASSERT_FALSE(key.ok()) << file;
    EXPECT_EQ(key.status().code(), Code::kPermissionDenied) << file;
    EXPECT_EQ(key.status().message(), "wrong password for the encrypted private key") << file;
  }
}

TEST_F(EncryptedKeyTest, PasswordForAPlainKeyIsIgnored) {
  auto key = PrivateKey::Parse(ReadFile(dir_, "plain.pem"), "unused");
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(key->PublicKeyDer(), public_der_);
}

TEST(PrivateKeyParseTest, FindsTheKeyInABundle) {
  const PrivateKey& key = TestKey(Ec());
  CertificateTemplate t{
      "CN=bundle", {"bundle.example.com"}, testing::Utc(2024, 1, 1), testing::Utc(2025, 1, 1)};
  auto cert = SelfSign(t, key);
  ASSERT_TRUE(cert.ok()) << cert.status().message();
  const std::string bundle = ToPem("CERTIFICATE", *cert) + key.ToPkcs8Pem();
  auto parsed = PrivateKey::Parse(bundle);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_TRUE(parsed->Matches(*cert));
}

TEST(PrivateKeyParseTest, ClearErrorsForNonKeys) {
  EXPECT_EQ(PrivateKey::Parse(ToPem("CERTIFICATE", "abc")).status().message(),
            "there is no private key in the PEM text (blocks found: 'CERTIFICATE')");
  EXPECT_EQ(PrivateKey::Parse("hello").status().message(),
            "there is no private key in the PEM text (blocks found: (none))");
  auto der = PrivateKey::Parse(std::string("\x30\x03\x02\x01\x00", 5));
  ASSERT_FALSE(der.ok());
  EXPECT_EQ(der.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(der.status().message().starts_with(
      "not a private key (expected PEM, or DER PKCS#8 / traditional RSA or EC)"))
      << der.status().message();
}

TEST(PrivateKeyParseTest, RejectsUnsupportedKeyTypes) {
  TempDir dir;
  Openssl({"genpkey", "-algorithm", "ED25519", "-out", "ed.pem"}, dir);
  EXPECT_EQ(PrivateKey::Parse(ReadFile(dir, "ed.pem")).status().message(),
            "public key algorithm ED25519 is not supported; xcert handles RSA and ECDSA keys");
}

TEST(PrivateKeyTest, PublicKeySha1IsTheOpensslSubjectKeyIdentifier) {
  // OpenSSL's default SKI ("hash") is RFC 5280 method 1.
  TempDir dir;
  for (const KeySpec& spec : {Rsa(), Ec(EcCurve::kP384)}) {
    const PrivateKey& key = TestKey(spec);
    dir.Write("k.pem", key.ToPkcs8Pem());
    Openssl({"req", "-x509", "-key", "k.pem", "-subj", "/CN=ski", "-days", "1", "-out", "c.pem"},
            dir);
    const std::string text =
        Openssl({"x509", "-in", "c.pem", "-noout", "-ext", "subjectKeyIdentifier"}, dir);
    std::string hex;
    for (char c : text.substr(text.find('\n') + 1)) {
      if (std::isxdigit(static_cast<unsigned char>(c))) hex += c;
    }
    EXPECT_EQ(key.PublicKeySha1(), ToUpper(hex)) << spec.ToString();
    EXPECT_EQ(key.PublicKeySha1().size(), 40u);
  }
}

TEST(PrivateKeyTest, MatchesOnlyItsOwnCertificates) {
  const PrivateKey& a = TestKey(Ec());
  const PrivateKey& b = TestKey(Ec(EcCurve::kP384));
  CertificateTemplate t{"CN=match", {}, testing::Utc(2024, 1, 1), testing::Utc(2025, 1, 1)};
  auto cert = SelfSign(t, a);
  ASSERT_TRUE(cert.ok()) << cert.status().message();
  EXPECT_TRUE(a.Matches(*cert));
  EXPECT_FALSE(b.Matches(*cert));
  EXPECT_FALSE(TestKey(Rsa()).Matches(*cert));
  EXPECT_FALSE(a.Matches("not a certificate"));
  auto info = ParseCertificate(*cert);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->public_key_sha1, a.PublicKeySha1());
}

TEST(PrivateKeyTest, CopiesShareOneKey) {
  PrivateKey copy = TestKey(Ec());
  EXPECT_EQ(copy.get(), TestKey(Ec()).get());
}

TEST(PrivateKeyTest, GeneratesConcurrently) {
  std::vector<std::thread> threads;
  std::vector<std::string> spki(8);
  for (size_t i = 0; i < spki.size(); ++i) {
    threads.emplace_back([&spki, i] {
      auto key = PrivateKey::Generate(Ec(i % 2 ? EcCurve::kP256 : EcCurve::kP384));
      if (key.ok()) spki[i] = key->PublicKeyDer();
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < spki.size(); ++i) {
    EXPECT_FALSE(spki[i].empty()) << i;
    for (size_t j = 0; j < i; ++j) EXPECT_NE(spki[i], spki[j]);
  }
}

}  // namespace
}  // namespace xcert::x509
