// ReadCertificates (parse.h): certificates out of PEM, DER and PKCS#7.
#include <gtest/gtest.h>

#include "resources/x509/builder.h"
#include "resources/x509/parse.h"
#include "resources/x509/pem.h"
#include "tests/resources/x509/x509_test_util.h"

namespace xcert::x509 {
namespace {

using testing::Ec;
using testing::Openssl;
using testing::ReadFile;
using testing::TempDir;
using testing::TestKey;
using testing::Utc;

class ReadCertificatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CertificateTemplate ca{"CN=Read CA", {}, Utc(2020, 1, 1), Utc(2030, 1, 1)};
    ca.is_ca = true;
    auto ca_der = SelfSign(ca, TestKey(Ec(EcCurve::kP384)));
    CertificateTemplate leaf{
        "CN=read.example.com", {"read.example.com"}, Utc(2024, 1, 1), Utc(2025, 1, 1)};
    auto leaf_der =
        SignWithCa(leaf, TestKey(Ec()).PublicKeyDer(), *ca_der, TestKey(Ec(EcCurve::kP384)));
    ASSERT_TRUE(ca_der.ok() && leaf_der.ok());
    ca_ = *ca_der;
    leaf_ = *leaf_der;
    dir_.Write("leaf.pem", ToPem("CERTIFICATE", leaf_));
    dir_.Write("ca.pem", ToPem("CERTIFICATE", ca_));
    dir_.Write("chain.pem", ToPem("CERTIFICATE", leaf_) + ToPem("CERTIFICATE", ca_));
  }
  TempDir dir_;
  std::string leaf_;
  std::string ca_;
};

TEST_F(ReadCertificatesTest, PemBundleInFileOrderSkippingKeys) {
  const std::string text = "leaf and chain\n" + ToPem("CERTIFICATE", leaf_) +
                           TestKey(Ec()).ToPkcs8Pem() + ToPem("CERTIFICATE", ca_);
  auto certs = ReadCertificates(text);
  ASSERT_TRUE(certs.ok()) << certs.status().message();
  EXPECT_EQ(*certs, (std::vector<std::string>{leaf_, ca_}));
}

TEST_F(ReadCertificatesTest, SingleDer) {
  auto certs = ReadCertificates(leaf_);
  ASSERT_TRUE(certs.ok()) << certs.status().message();
  EXPECT_EQ(*certs, std::vector<std::string>{leaf_});
}

TEST_F(ReadCertificatesTest, Pkcs7FromOpensslInPemAndDer) {
  Openssl({"crl2pkcs7", "-nocrl", "-certfile", "chain.pem", "-out", "chain.p7b"}, dir_);
  Openssl(
      {"crl2pkcs7", "-nocrl", "-certfile", "chain.pem", "-outform", "DER", "-out", "chain.p7b.der"},
      dir_);
  const std::string pem = ReadFile(dir_, "chain.p7b");
  EXPECT_TRUE(pem.starts_with("-----BEGIN PKCS7-----")) << pem;
  for (const std::string& data : {pem, ReadFile(dir_, "chain.p7b.der")}) {
    auto certs = ReadCertificates(data);
    ASSERT_TRUE(certs.ok()) << certs.status().message();
    EXPECT_EQ(*certs, (std::vector<std::string>{leaf_, ca_}));
  }
}

TEST_F(ReadCertificatesTest, Pkcs7LabelledCertificateAsWindowsCasWriteIt) {
  Openssl({"crl2pkcs7", "-nocrl", "-certfile", "chain.pem", "-outform", "DER", "-out", "c.p7b"},
          dir_);
  auto certs = ReadCertificates(ToPem("CERTIFICATE", ReadFile(dir_, "c.p7b")));
  ASSERT_TRUE(certs.ok()) << certs.status().message();
  EXPECT_EQ(certs->size(), 2u);
}

TEST_F(ReadCertificatesTest, ClearErrors) {
  EXPECT_EQ(ReadCertificates("").status().message(),
            "the data is empty; expected PEM, DER or PKCS#7");
  EXPECT_EQ(ReadCertificates(TestKey(Ec()).ToPkcs8Pem()).status().message(),
            "there is no certificate in the PEM text (blocks found: 'PRIVATE KEY')");
  EXPECT_EQ(ReadCertificates("hello").status().message(),
            "there is no certificate in the PEM text (blocks found: (none))");
  EXPECT_EQ(ReadCertificates(std::string("\x30\x03\x02\x01\x00", 5)).status().message(),
            "the DER data is neither a certificate nor PKCS#7");
  EXPECT_EQ(ReadCertificates(leaf_ + "x").status().message(),
            "malformed DER data: 1 unexpected bytes at its end");
  EXPECT_EQ(ReadCertificates("\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
                .status()
                .message(),
            "PEM block 'CERTIFICATE' at line 2: malformed DER data: expected SEQUENCE, found "
            "tag 0x00");
  Openssl({"crl2pkcs7", "-nocrl", "-outform", "DER", "-out", "empty.p7b"}, dir_);
  EXPECT_EQ(ReadCertificates(ReadFile(dir_, "empty.p7b")).status().message(),
            "the PKCS#7 data holds no certificates");
}

}  // namespace
}  // namespace xcert::x509
