// ParseCertificateOpenSsl: the reference parser. Agreement with the DER
// walker is tested in parse_test.cc; these are its own behaviours.
#include <gtest/gtest.h>

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
using testing::Utc;

std::string SelfSigned(const PrivateKey& key) {
  CertificateTemplate t{
      "CN=ref.example.com", {"ref.example.com"}, Utc(2024, 1, 1), Utc(2026, 1, 1)};
  auto der = SelfSign(t, key);
  EXPECT_TRUE(der.ok());
  return der.ok() ? *der : "";
}

TEST(ParseCertificateOpenSslTest, ReadsEveryField) {
  const PrivateKey& key = TestKey(Rsa());
  const std::string der = SelfSigned(key);
  auto info = ParseCertificateOpenSsl(der);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->subject, "CN=ref.example.com");
  EXPECT_EQ(info->issuer, "CN=ref.example.com");
  EXPECT_EQ(info->dns_names, std::vector<std::string>{"ref.example.com"});
  EXPECT_EQ(info->not_before, Utc(2024, 1, 1));
  EXPECT_EQ(info->not_after, Utc(2026, 1, 1));
  EXPECT_EQ(info->key_algorithm, KeyAlgorithm::kRsa);
  EXPECT_EQ(info->key_bits, 2048);
  EXPECT_EQ(info->signature_algorithm, "sha256WithRSAEncryption");
  EXPECT_EQ(info->subject_key_id, key.PublicKeySha1());
  EXPECT_EQ(info->authority_key_id, "");
  EXPECT_EQ(info->public_key_sha1, key.PublicKeySha1());
  EXPECT_TRUE(info->self_signed);
  EXPECT_FALSE(info->is_ca);
  EXPECT_EQ(info->der, der);
  EXPECT_EQ(info->thumbprint.size(), 40u);
  EXPECT_EQ(info->sha256.size(), 64u);
}

TEST(ParseCertificateOpenSslTest, NamesSha3SignaturesLikeTheWalker) {
  TempDir dir;
  Openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
           "-keyout", "k.pem", "-subj", "/CN=sha3", "-sha3-256", "-days", "2", "-out", "c.pem"},
          dir);
  const std::string der = testing::PemToDer(ReadFile(dir, "c.pem"));
  auto reference = ParseCertificateOpenSsl(der);
  auto walked = ParseCertificate(der);
  ASSERT_TRUE(reference.ok() && walked.ok());
  EXPECT_EQ(reference->signature_algorithm, "ecdsa_with_SHA3-256");
  EXPECT_EQ(walked->signature_algorithm, "ecdsa_with_SHA3-256");
}

TEST(ParseCertificateOpenSslTest, Errors) {
  auto garbage = ParseCertificateOpenSsl("garbage");
  EXPECT_EQ(garbage.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(garbage.status().message().starts_with("not a DER certificate"))
      << garbage.status().message();
  const std::string der = SelfSigned(TestKey(Ec()));
  EXPECT_EQ(ParseCertificateOpenSsl(der + "xy").status().message(),
            "malformed certificate: 2 unexpected bytes after it");
}

TEST(ParseCertificateOpenSslTest, SelfSignedNeedsAValidSignature) {
  std::string der = SelfSigned(TestKey(Ec()));
  ASSERT_TRUE(ParseCertificateOpenSsl(der)->self_signed);
  der[der.size() - 5] = char(der[der.size() - 5] ^ 0x55);  // inside the signature value
  auto info = ParseCertificateOpenSsl(der);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_FALSE(info->self_signed);
}

}  // namespace
}  // namespace xcert::x509
