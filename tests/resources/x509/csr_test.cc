#include <gtest/gtest.h>

#include "resources/x509/builder.h"
#include "resources/x509/pem.h"
#include "tests/resources/x509/x509_test_util.h"

namespace xcert::x509 {
namespace {

using testing::Ec;
using testing::Openssl;
using testing::ReadFile;
using testing::Rsa;
using testing::TempDir;
using testing::TestKey;

TEST(CreateCsrTest, OpensslVerifiesAndReadsIt) {
  TempDir dir;
  const PrivateKey& key = TestKey(Rsa());
  auto der = CreateCsr("CN=mail.contoso.com, O=Contoso",
                       {"mail.contoso.com", "autodiscover.contoso.com"}, key);
  ASSERT_TRUE(der.ok()) << der.status().message();
  dir.Write("r.pem", ToPem("CERTIFICATE REQUEST", *der));
  const auto r = testing::Run(
      {testing::kOpenssl, "req", "-in", "r.pem", "-verify", "-noout", "-text"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("verify OK"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("Version: 1 (0x0)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Subject: O = Contoso, CN = mail.contoso.com"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("DNS:mail.contoso.com, DNS:autodiscover.contoso.com"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Signature Algorithm: sha256WithRSAEncryption"), std::string::npos);
}

TEST(CreateCsrTest, RoundTripsThroughParseCsr) {
  const PrivateKey& key = TestKey(Ec(EcCurve::kP384));
  auto der = CreateCsr("CN=edge01.contoso.com", {"edge01.contoso.com"}, key);
  ASSERT_TRUE(der.ok()) << der.status().message();
  for (const std::string& form : {*der, ToPem("CERTIFICATE REQUEST", *der)}) {
    auto info = ParseCsr(form);
    ASSERT_TRUE(info.ok()) << info.status().message();
    EXPECT_EQ(info->subject, "CN=edge01.contoso.com");
    EXPECT_EQ(info->dns_names, std::vector<std::string>{"edge01.contoso.com"});
    EXPECT_EQ(info->public_key_der, key.PublicKeyDer());
    EXPECT_EQ(info->public_key_sha1, key.PublicKeySha1());
    EXPECT_EQ(info->key_algorithm, KeyAlgorithm::kEcdsa);
    EXPECT_EQ(info->key_bits, 384);
    EXPECT_EQ(info->curve, EcCurve::kP384);
    EXPECT_TRUE(info->signature_ok);
  }
}

TEST(CreateCsrTest, WithoutNamesHasNoExtensionRequest) {
  auto der = CreateCsr("CN=Microsoft Exchange Server Auth Certificate", {}, TestKey(Ec()));
  ASSERT_TRUE(der.ok());
  auto info = ParseCsr(*der);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_TRUE(info->dns_names.empty());
  EXPECT_EQ(info->subject, "CN=Microsoft Exchange Server Auth Certificate");
}

TEST(CreateCsrTest, RejectsBadInput) {
  EXPECT_EQ(CreateCsr("CN=a", {"a..b"}, TestKey(Ec())).status().message(),
            "DNS name 'a..b' is not valid: it has an empty label");
  EXPECT_EQ(CreateCsr("", {}, TestKey(Ec())).status().message(),
            "subject '': the subject is empty; write e.g. CN=mail.contoso.com");
  EXPECT_EQ(CreateCsr("CN=a", {}, PrivateKey()).status().message(),
            "a certificate request needs a private key");
}

TEST(ParseCsrTest, ReadsOpensslCliRequests) {
  TempDir dir;
  Openssl({"req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-subj",
           "/C=DE/O=Pocket Consultant/CN=mail.pocket-consultant.com", "-addext",
           "subjectAltName=DNS:mail.pocket-consultant.com,IP:10.0.0.1,DNS:"
           "autodiscover.pocket-consultant.com",
           "-out", "r.pem"},
          dir);
  Openssl({"req", "-in", "r.pem", "-outform", "DER", "-out", "r.der"}, dir);
  auto key = PrivateKey::Parse(ReadFile(dir, "k.pem"));
  ASSERT_TRUE(key.ok());
  for (const char* file : {"r.pem", "r.der"}) {
    auto info = ParseCsr(ReadFile(dir, file));
    ASSERT_TRUE(info.ok()) << file << ": " << info.status().message();
    EXPECT_EQ(info->subject, "CN=mail.pocket-consultant.com, O=Pocket Consultant, C=DE");
    EXPECT_EQ(info->dns_names, (std::vector<std::string>{"mail.pocket-consultant.com",
                                                         "autodiscover.pocket-consultant.com"}));
    EXPECT_EQ(info->key_bits, 2048);
    EXPECT_EQ(info->public_key_sha1, key->PublicKeySha1());
    EXPECT_TRUE(info->signature_ok);
  }
}

TEST(ParseCsrTest, DetectsABrokenSignature) {
  auto der = CreateCsr("CN=tamper.example.com", {}, TestKey(Ec()));
  ASSERT_TRUE(der.ok());
  std::string bad = *der;
  const size_t pos = bad.find("tamper");
  ASSERT_NE(pos, std::string::npos);
  bad[pos] = 'T';
  auto info = ParseCsr(bad);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->subject, "CN=Tamper.example.com");
  EXPECT_FALSE(info->signature_ok);
}

TEST(ParseCsrTest, ErrorsForNonRequests) {
  EXPECT_EQ(ParseCsr(ToPem("CERTIFICATE", "abc")).status().message(),
            "there is no CERTIFICATE REQUEST block in the PEM text");
  auto r = ParseCsr("\x30\x03\x02\x01\x00");
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(r.status().message().starts_with("not a PKCS#10 certificate request"));
}

}  // namespace
}  // namespace xcert::x509
