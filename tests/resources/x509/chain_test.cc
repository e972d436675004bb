#include "resources/x509/chain.h"

#include <gtest/gtest.h>

#include "resources/x509/builder.h"
#include "resources/x509/openssl_util.h"
#include "tests/resources/x509/x509_test_util.h"

namespace xcert::x509 {
namespace {

using testing::Ec;
using testing::Rsa;
using testing::TestKey;
using testing::Utc;

const TimePoint kAt = Utc(2024, 6, 1);

class ChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CertificateTemplate root{"CN=Chain Root, O=Contoso", {}, Utc(2020, 1, 1), Utc(2040, 1, 1)};
    root.is_ca = true;
    root_ = Must(SelfSign(root, root_key()));
    CertificateTemplate issuing{
        "CN=Chain Issuing, O=Contoso", {}, Utc(2021, 1, 1), Utc(2035, 1, 1)};
    issuing.is_ca = true;
    issuing_ = Must(SignWithCa(issuing, issuing_key().PublicKeyDer(), root_, root_key()));
    leaf_ = Leaf(Utc(2024, 1, 1), Utc(2025, 1, 1));
  }

  static std::string Must(Result<std::string> r) {
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : "";
  }
  static const PrivateKey& root_key() { return TestKey(Ec(EcCurve::kP384)); }
  static const PrivateKey& issuing_key() { return TestKey(Rsa()); }
  static const PrivateKey& leaf_key() { return TestKey(Ec()); }

  std::string Leaf(TimePoint from, TimePoint to) const {
    CertificateTemplate t{"CN=mail.contoso.com", {"mail.contoso.com"}, from, to};
    return Must(SignWithCa(t, leaf_key().PublicKeyDer(), issuing_, issuing_key()));
  }

  ChainResult Verify(const std::string& leaf, std::vector<std::string> intermediates,
                     std::vector<std::string> anchors, TimePoint at = kAt) const {
    return VerifyChain(leaf, intermediates, anchors, at);
  }

  std::string root_, issuing_, leaf_;
};

TEST_F(ChainTest, ChainToAnAnchorIsValid) {
  const ChainResult r = Verify(leaf_, {issuing_}, {root_});
  EXPECT_EQ(r.status, CertStatus::kValid) << r.detail;
  EXPECT_EQ(r.detail, "");
}

TEST_F(ChainTest, IntermediateAsAnchorIsNotEnough) {
  // Partial chains are off: the issuing CA is not self-signed.
  const ChainResult r = Verify(leaf_, {}, {issuing_});
  EXPECT_EQ(r.status, CertStatus::kUntrusted) << r.detail;
}

TEST_F(ChainTest, NoAnchorIsUntrusted) {
  ChainResult r = Verify(leaf_, {issuing_}, {});
  EXPECT_EQ(r.status, CertStatus::kUntrusted);
  EXPECT_EQ(r.detail,
            "unable to get local issuer certificate (depth 1, CN=Chain Issuing, O=Contoso)");
  // The root sent along as an intermediate is still not trusted.
  r = Verify(leaf_, {issuing_, root_}, {});
  EXPECT_EQ(r.status, CertStatus::kUntrusted);
  EXPECT_EQ(r.detail,
            "self-signed certificate in certificate chain (depth 2, CN=Chain Root, O=Contoso)");
}

TEST_F(ChainTest, MissingIntermediateIsUntrusted) {
  const ChainResult r = Verify(leaf_, {}, {root_});
  EXPECT_EQ(r.status, CertStatus::kUntrusted);
  EXPECT_EQ(r.detail, "unable to get local issuer certificate (depth 0, CN=mail.contoso.com)");
}

TEST_F(ChainTest, ExpiredAndNotYetValidAreDateInvalid) {
  ChainResult r = Verify(Leaf(Utc(2023, 1, 1), Utc(2024, 1, 1)), {issuing_}, {root_});
  EXPECT_EQ(r.status, CertStatus::kDateInvalid);
  EXPECT_EQ(r.detail, "certificate has expired (depth 0, CN=mail.contoso.com)");
  r = Verify(Leaf(Utc(2024, 7, 1), Utc(2025, 1, 1)), {issuing_}, {root_});
  EXPECT_EQ(r.status, CertStatus::kDateInvalid);
  EXPECT_EQ(r.detail, "certificate is not yet valid (depth 0, CN=mail.contoso.com)");
  // An expired intermediate makes the whole chain DateInvalid.
  r = Verify(leaf_, {issuing_}, {root_}, Utc(2036, 1, 1));
  EXPECT_EQ(r.status, CertStatus::kDateInvalid);
}

TEST_F(ChainTest, TheTimeIsTheOneGiven) {
  EXPECT_EQ(Verify(leaf_, {issuing_}, {root_}, Utc(2024, 1, 1)).status, CertStatus::kValid);
  EXPECT_EQ(Verify(leaf_, {issuing_}, {root_}, Utc(2023, 12, 31, 23, 59, 59)).status,
            CertStatus::kDateInvalid);
}

TEST_F(ChainTest, SelfSignedLeafIsValidLikeExchange) {
  CertificateTemplate t{"CN=MailServer21",
                        {"MailServer21", "mailserver21.contoso.com"},
                        Utc(2024, 1, 1),
                        Utc(2029, 1, 1)};
  const std::string self = Must(SelfSign(t, leaf_key()));
  EXPECT_EQ(Verify(self, {}, {}).status, CertStatus::kValid);  // RootCAType None
  EXPECT_EQ(Verify(self, {}, {root_}).status, CertStatus::kValid);
  EXPECT_EQ(Verify(self, {}, {self}).status, CertStatus::kValid);  // in Trusted Root
  t.no_eku = true;  // the Auth certificate has no EKU
  EXPECT_EQ(Verify(Must(SelfSign(t, leaf_key())), {}, {}).status, CertStatus::kValid);
}

TEST_F(ChainTest, ExpiredSelfSignedIsInvalidLikeExchange) {
  CertificateTemplate t{
      "CN=Microsoft Exchange Server Auth Certificate", {}, Utc(2018, 1, 1), Utc(2023, 1, 1)};
  t.no_eku = true;
  const std::string expired = Must(SelfSign(t, leaf_key()));
  const ChainResult r = Verify(expired, {}, {});
  EXPECT_EQ(r.status, CertStatus::kInvalid);
  EXPECT_EQ(r.detail,
            "certificate has expired (depth 0, CN=Microsoft Exchange Server Auth Certificate)");
  // Trusted, it is only out of date.
  EXPECT_EQ(Verify(expired, {}, {expired}).status, CertStatus::kDateInvalid);
}

TEST_F(ChainTest, BadSignatureIsInvalid) {
  std::string bad = leaf_;
  bad[bad.size() - 5] = char(bad[bad.size() - 5] ^ 0x55);
  ChainResult r = Verify(bad, {issuing_}, {root_});
  EXPECT_EQ(r.status, CertStatus::kInvalid);
  EXPECT_EQ(r.detail, "certificate signature failure (depth 0, CN=mail.contoso.com)");
  CertificateTemplate t{"CN=self", {"self.example.com"}, Utc(2024, 1, 1), Utc(2025, 1, 1)};
  std::string self = Must(SelfSign(t, leaf_key()));
  self[self.size() - 5] = char(self[self.size() - 5] ^ 0x55);
  r = Verify(self, {}, {});
  EXPECT_EQ(r.status, CertStatus::kInvalid) << r.detail;
}

TEST_F(ChainTest, ClientOnlyCertificateIsInvalidForServers) {
  auto leaf = CertificateFromDer(leaf_);
  ASSERT_TRUE(leaf.ok());
  X509_EXTENSION_free(
      X509_delete_ext(leaf->get(), X509_get_ext_by_NID(leaf->get(), NID_ext_key_usage, -1)));
  ExtendedKeyUsagePtr eku(sk_ASN1_OBJECT_new_null());
  sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(NID_client_auth));
  X509_add1_ext_i2d(leaf->get(), NID_ext_key_usage, eku.get(), 0, X509V3_ADD_DEFAULT);
  X509_sign(leaf->get(), issuing_key().get(), EVP_sha256());
  auto der = CertificateToDer(leaf->get());
  ASSERT_TRUE(der.ok());
  const ChainResult r = Verify(*der, {issuing_}, {root_});
  EXPECT_EQ(r.status, CertStatus::kInvalid);
  EXPECT_EQ(r.detail, "unsuitable certificate purpose (depth 0, CN=mail.contoso.com)");
}

TEST_F(ChainTest, MalformedInput) {
  ChainResult r = Verify("junk", {issuing_}, {root_});
  EXPECT_EQ(r.status, CertStatus::kInvalid);
  EXPECT_TRUE(r.detail.starts_with("not a DER certificate")) << r.detail;
  r = Verify(leaf_, {"junk"}, {root_});
  EXPECT_EQ(r.status, CertStatus::kUntrusted);
  EXPECT_EQ(r.detail,
            "unable to get local issuer certificate (depth 0, CN=mail.contoso.com); 1 chain or "
            "anchor certificate(s) could not be read");
}

}  // namespace
}  // namespace xcert::x509
