#include "resources/issuers/certificate_files.h"

#include <gtest/gtest.h>

#include "resources/x509/key.h"
#include "resources/x509/pem.h"
#include "tests/resources/issuers/issuers_test_util.h"

namespace xcert::issuers {
namespace {

using namespace testing;  // NOLINT

class CertificateFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MakeCa(dir_, "root", {.subject = "/CN=Root CA"});
    MakeCa(dir_, "inter", {.subject = "/CN=Issuing CA", .signer = "root"});
    MakeLeaf(dir_, "leaf", "inter");
  }
  std::string Pem(const std::string& name) { return ReadFileOrDie(dir_.path() / (name + ".pem")); }
  std::string Der(const std::string& name) {
    return Openssl(dir_, {"x509", "-in", name + ".pem", "-outform", "DER"});
  }

  TempDir dir_;
};

TEST_F(CertificateFilesTest, LoadsPemDerAndPkcs7) {
  auto pem = LoadCertificates(Pem("inter") + Pem("leaf"));
  ASSERT_TRUE(pem.ok()) << pem.status().message();
  ASSERT_EQ(pem->size(), 2u);
  EXPECT_EQ((*pem)[0].info.subject, "CN=Issuing CA");
  EXPECT_TRUE((*pem)[0].info.is_ca);
  EXPECT_EQ((*pem)[1].info.subject, "CN=mail.pocket-consultant.com");
  EXPECT_EQ((*pem)[1].info.issuer, "CN=Issuing CA");

  auto der = LoadCertificates(Der("leaf"));
  ASSERT_TRUE(der.ok()) << der.status().message();
  ASSERT_EQ(der->size(), 1u);
  EXPECT_EQ((*der)[0].der, (*pem)[1].der);

  Openssl(dir_, {"crl2pkcs7", "-nocrl", "-certfile", "leaf.pem", "-certfile", "inter.pem", "-out",
                 "answer.p7b"});
  auto p7 = LoadCertificates(ReadFileOrDie(dir_.path() / "answer.p7b"));
  ASSERT_TRUE(p7.ok()) << p7.status().message();
  ASSERT_EQ(p7->size(), 2u);
  EXPECT_EQ((*p7)[0].info.thumbprint, (*pem)[1].info.thumbprint);
}

TEST_F(CertificateFilesTest, NoCertificateIsAnError) {
  auto r = LoadCertificates(ReadFileOrDie(dir_.path() / "leaf.key"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "there is no certificate in the PEM text (blocks found: 'PRIVATE KEY')");
  EXPECT_FALSE(LoadCertificates("").ok());
}

TEST_F(CertificateFilesTest, PickLeafPrefersTheMatchThenTheFirstNonCa) {
  auto certs = LoadCertificates(Pem("root") + Pem("inter") + Pem("leaf"));
  ASSERT_TRUE(certs.ok());
  EXPECT_EQ(PickLeaf(*certs, nullptr), std::optional<size_t>(2));
  EXPECT_EQ(
      PickLeaf(*certs, [](const LoadedCertificate& c) { return c.info.subject == "CN=Root CA"; }),
      std::optional<size_t>(0));
  EXPECT_EQ(PickLeaf(*certs, [](const LoadedCertificate&) { return false; }),
            std::optional<size_t>(2));
  auto cas = LoadCertificates(Pem("root") + Pem("inter"));
  ASSERT_TRUE(cas.ok());
  EXPECT_EQ(PickLeaf(*cas, nullptr), std::nullopt);
  EXPECT_EQ(OthersThan(*certs, 2), (std::vector<std::string>{(*certs)[0].der, (*certs)[1].der}));
}

TEST_F(CertificateFilesTest, BundleIsLeafKeyThenChainWithoutDuplicates) {
  auto certs = LoadCertificates(Pem("leaf") + Pem("inter") + Pem("root"));
  ASSERT_TRUE(certs.ok());
  auto key = x509::PrivateKey::Parse(ReadFileOrDie(dir_.path() / "leaf.key"));
  ASSERT_TRUE(key.ok());
  const std::string bundle = PemBundle(
      (*certs)[0].der, *key, {(*certs)[1].der, (*certs)[0].der, (*certs)[1].der, (*certs)[2].der});
  auto blocks = x509::ParsePem(bundle);
  ASSERT_TRUE(blocks.ok());
  ASSERT_EQ(blocks->size(), 4u);
  EXPECT_EQ((*blocks)[0].label, "CERTIFICATE");
  EXPECT_EQ((*blocks)[0].der, (*certs)[0].der);
  EXPECT_EQ((*blocks)[1].label, "PRIVATE KEY");
  EXPECT_EQ((*blocks)[2].der, (*certs)[1].der);
  EXPECT_EQ((*blocks)[3].der, (*certs)[2].der);
  // Without a key: certificates only.
  auto no_key = x509::ParsePem(PemBundle((*certs)[0].der, x509::PrivateKey(), {}));
  ASSERT_TRUE(no_key.ok());
  ASSERT_EQ(no_key->size(), 1u);
  // openssl reads the bundle as a chain that verifies.
  dir_.Write("bundle.pem", bundle);
  EXPECT_TRUE(
      OpensslOk(dir_, {"verify", "-CAfile", "root.pem", "-untrusted", "bundle.pem", "bundle.pem"}));
}

TEST_F(CertificateFilesTest, ReadSmallFileRefusesWhatIsNoCertificateFile) {
  const std::string missing = (dir_.path() / "missing.pem").string();
  EXPECT_EQ(ReadSmallFile(missing).status(), NotFound(missing + " does not exist"));
  EXPECT_EQ(ReadSmallFile(dir_.path().string()).status(),
            InvalidArgument(dir_.path().string() + " is not a file"));
  const std::string big = dir_.Write("big", std::string(kMaxIssuerFileBytes + 1, '0')).string();
  EXPECT_EQ(ReadSmallFile(big).status(),
            InvalidArgument(big + " is larger than 1 MiB, so it is no certificate or key file"));
  EXPECT_EQ(ReadSmallFile((dir_.path() / "leaf.pem").string()).value(), Pem("leaf"));
}

}  // namespace
}  // namespace xcert::issuers
