#include "resources/store/material.h"

#include <gtest/gtest.h>

#include "tests/resources/store/store_test_util.h"

namespace xcert::store {
namespace {

using testing::Ec;
using testing::Now;

const TimePoint kAt(std::chrono::seconds(1800000000));

TEST(MakeSelfSignedTest, FollowsTheRequest) {
  CreateRequest r{
      "CN=mail.contoso.com", {"mail.contoso.com"}, Ec(true), Seconds(86400 * 30), "Mail", false};
  Result<StoredCertificate> c = MakeSelfSigned(r, kAt);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->key.Matches(c->der));
  EXPECT_TRUE(c->chain_der.empty());
  EXPECT_EQ(c->meta, (ItemMeta{"Mail", true, "create", kAt}));
  Result<CertificateInfo> info = x509::ParseCertificate(c->der);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->not_before, kAt);
  EXPECT_EQ(info->not_after, kAt + Seconds(86400 * 30));
  EXPECT_EQ(info->dns_names, std::vector<std::string>{"mail.contoso.com"});
}

TEST(MakeSelfSignedTest, ABadDnsNameIsAnError) {
  CreateRequest r{"CN=mail.contoso.com", {"bad name"}, Ec(), Seconds(86400), "", false};
  Result<StoredCertificate> c = MakeSelfSigned(r, kAt);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("bad name"), std::string::npos) << c.status().message();
}

TEST(MakeRequestTest, MakesAKeyAndAMatchingCsr) {
  CreateRequest r{"CN=owa.contoso.com", {"owa.contoso.com"}, Ec(), Seconds(0), "OWA", true};
  Result<StoredRequest> req = MakeRequest(r, kAt);
  ASSERT_TRUE(req.ok()) << req.status().message();
  Result<x509::CsrInfo> csr = x509::ParseCsr(req->csr_der);
  ASSERT_TRUE(csr.ok());
  EXPECT_TRUE(csr->signature_ok);
  EXPECT_EQ(csr->public_key_sha1, req->key.PublicKeySha1());
  EXPECT_EQ(RequestId(req->csr_der), x509::Sha1Hex(req->csr_der));
}

TEST(DescribeCertificateTest, SelfSignedIsValidAndAttributesComeFromMeta) {
  CreateRequest r{"CN=a.contoso.com", {}, Ec(true), Seconds(86400), "", false};
  Result<StoredCertificate> c = MakeSelfSigned(r, Now());
  ASSERT_TRUE(c.ok());
  const ItemMeta meta{"A", true, "create", Now()};
  Result<CertificateInfo> info = DescribeCertificate(c->der, true, &meta);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->status, CertStatus::kValid);
  EXPECT_EQ(info->root_ca_type, RootCaType::kNone);
  EXPECT_TRUE(info->exportable);
  EXPECT_EQ(info->friendly_name, "A");
  EXPECT_TRUE(info->attributes_known);
  info = DescribeCertificate(c->der, false, &meta);
  EXPECT_FALSE(info->exportable) << "no key, nothing to export";
  info = DescribeCertificate(c->der, true, nullptr);
  EXPECT_FALSE(info->attributes_known);
}

TEST(DescribeCertificateTest, CaIssuedIsUnknownUntilItsChainIsChecked) {
  const testing::Issued c = testing::IssueWithKey();
  Result<CertificateInfo> info = DescribeCertificate(c.der, true, nullptr);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->status, CertStatus::kUnknown);
  EXPECT_EQ(info->root_ca_type, RootCaType::kUnknown);
  EXPECT_FALSE(DescribeCertificate("garbage", true, nullptr).ok());
}

TEST(DescribeRequestTest, IsAPendingRequestNamedByTheCsrHash) {
  CreateRequest r{"CN=owa.contoso.com", {"owa.contoso.com"}, Ec(true), Seconds(0), "OWA", true};
  Result<StoredRequest> req = MakeRequest(r, kAt);
  ASSERT_TRUE(req.ok());
  Result<CertificateInfo> info = DescribeRequest(req->csr_der, req->meta);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->thumbprint, RequestId(req->csr_der));
  EXPECT_EQ(info->subject, "CN=owa.contoso.com");
  EXPECT_EQ(info->dns_names, std::vector<std::string>{"owa.contoso.com"});
  EXPECT_EQ(info->status, CertStatus::kPendingRequest);
  EXPECT_TRUE(info->pending_request);
  EXPECT_TRUE(info->exportable);
  EXPECT_EQ(info->friendly_name, "OWA");
  EXPECT_EQ(info->csr_pem, x509::ToPem("CERTIFICATE REQUEST", req->csr_der));
  EXPECT_EQ(info->key_algorithm, KeyAlgorithm::kEcdsa);
  EXPECT_TRUE(info->der.empty());
}

TEST(ApplyBindingsTest, ServicesAndIisSitesFromTheBindings) {
  CertificateInfo c;
  c.thumbprint = std::string(40, 'A');
  Bindings b;
  b.iis = b.iis_back_end = b.imap = c.thumbprint;
  ApplyBindings(b, "MailServer21", &c);
  EXPECT_EQ(c.services.ToLetters(), "I..W...");
  EXPECT_EQ(c.iis_services,
            (std::vector<std::string>{"IIS://MailServer21/W3SVC/1", "IIS://MailServer21/W3SVC/2"}));
  c.pending_request = true;
  ApplyBindings(b, "MailServer21", &c);
  EXPECT_TRUE(c.services.empty());
  EXPECT_TRUE(c.iis_services.empty());
}

}  // namespace
}  // namespace xcert::store
