#include "resources/store/import_data.h"

#include <gtest/gtest.h>

#include "tests/resources/store/store_test_util.h"

namespace xcert::store {
namespace {

using testing::Ca;
using testing::IssueWithKey;
using testing::PemBundle;

TEST(DecodeImportDataTest, PemBundleInAnyOrder) {
  const testing::Issued c = IssueWithKey();
  const std::string pem =
      x509::ToPem("CERTIFICATE", Ca().der) + c.key.ToPkcs8Pem() + x509::ToPem("CERTIFICATE", c.der);
  Result<ImportData> d = DecodeImportData(pem, "");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->der, c.der) << "the certificate the key belongs to";
  EXPECT_TRUE(d->key.valid());
  EXPECT_EQ(d->chain_der, std::vector<std::string>{Ca().der});
}

TEST(DecodeImportDataTest, WithoutAKeyTheLeafIsTheNonCaCertificate) {
  const testing::Issued c = IssueWithKey();
  const std::string pem = x509::ToPem("CERTIFICATE", Ca().der) + x509::ToPem("CERTIFICATE", c.der);
  Result<ImportData> d = DecodeImportData(pem, "");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->der, c.der);
  EXPECT_FALSE(d->key.valid());
  EXPECT_EQ(d->chain_der, std::vector<std::string>{Ca().der});
}

TEST(DecodeImportDataTest, DerCertificate) {
  const testing::Issued c = IssueWithKey();
  Result<ImportData> d = DecodeImportData(c.der, "");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->der, c.der);
  EXPECT_TRUE(d->chain_der.empty());
}

TEST(DecodeImportDataTest, Pkcs12WithPassword) {
  const testing::Issued c = IssueWithKey();
  Result<ImportData> d = DecodeImportData(testing::Pkcs12Of(c, "pw", "Name"), "pw");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->der, c.der);
  EXPECT_TRUE(d->key.Matches(c.der));
  EXPECT_EQ(d->chain_der, std::vector<std::string>{Ca().der});
  EXPECT_EQ(d->friendly_name, "Name");
  Result<ImportData> wrong = DecodeImportData(testing::Pkcs12Of(c, "pw"), "nope");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), Code::kPermissionDenied);
}

TEST(DecodeImportDataTest, AKeyOfNoCertificateIsRefused) {
  testing::Issued c = IssueWithKey();
  c.key = testing::NewEcKey();
  Result<ImportData> d = DecodeImportData(PemBundle(c), "");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(),
            "the private key in the import data belongs to none of its 2 certificate(s); put the "
            "certificate and its own key together");
}

TEST(DecodeImportDataTest, EmptyAndKeyOnlyDataAreRefused) {
  EXPECT_EQ(DecodeImportData("", "").status().message(),
            "the import data is empty; give a PKCS#12 or PEM file");
  Result<ImportData> key_only = DecodeImportData(testing::NewEcKey().ToPkcs8Pem(), "");
  ASSERT_FALSE(key_only.ok());
  EXPECT_EQ(key_only.status().code(), Code::kInvalidArgument);
  EXPECT_NE(key_only.status().message().find("no certificate"), std::string::npos)
      << key_only.status().message();
}

TEST(DecodeImportDataTest, ErrorsNeverContainKeyMaterial) {
  const std::string key = testing::NewEcKey().ToPkcs8Pem();
  Result<ImportData> d =
      DecodeImportData(key + "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n", "");
  ASSERT_FALSE(d.ok());
  const std::string body = key.substr(28, 40);  // a piece of the base64 key body
  EXPECT_EQ(d.status().message().find(body), std::string::npos);
}

}  // namespace
}  // namespace xcert::store
