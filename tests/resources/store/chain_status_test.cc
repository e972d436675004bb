#include "resources/store/chain_status.h"

#include <gtest/gtest.h>

#include "tests/resources/store/store_test_util.h"

namespace xcert::store {
namespace {

using testing::Ca;
using testing::Now;

CertificateInfo Info(const std::string& der) {
  Result<CertificateInfo> info = x509::ParseCertificate(der);
  EXPECT_TRUE(info.ok());
  return info.ok() ? *info : CertificateInfo{};
}

std::string SelfSigned() {
  x509::CertificateTemplate t{"CN=self.example.com",
                              {"self.example.com"},
                              Now() - std::chrono::hours(1),
                              Now() + std::chrono::hours(24 * 30)};
  Result<std::string> der = x509::SelfSign(t, testing::NewEcKey());
  EXPECT_TRUE(der.ok());
  return der.ok() ? *der : "";
}

TEST(ChainStatusCacheTest, ACaIssuedCertificateIsValidWithItsStoredChain) {
  ChainStatusCache cache(Now());
  const testing::Issued a = testing::IssueWithKey();
  const testing::Issued b = testing::IssueWithKey("CN=b.example.com", {"b.example.com"});
  EXPECT_EQ(cache.StatusOf(Info(a.der), {Ca().der}).status, CertStatus::kValid);
  EXPECT_EQ(cache.StatusOf(Info(b.der), {Ca().der}).status, CertStatus::kValid);
  EXPECT_EQ(cache.distinct_chains(), 1u) << "one CA chain is split once";
}

TEST(ChainStatusCacheTest, WithoutItsRootItIsUntrusted) {
  ChainStatusCache cache(Now());
  const x509::ChainResult r = cache.StatusOf(Info(testing::IssueWithKey().der), {});
  EXPECT_EQ(r.status, CertStatus::kUntrusted);
  EXPECT_FALSE(r.detail.empty());
}

TEST(ChainStatusCacheTest, ExpiredIsDateInvalidAndAnExpiredSelfSignedIsInvalid) {
  const testing::Issued old = testing::IssueWithKey(
      "CN=old.example.com", {}, Now() - std::chrono::hours(48), Now() - std::chrono::hours(24));
  ChainStatusCache cache(Now());
  EXPECT_EQ(cache.StatusOf(Info(old.der), {Ca().der}).status, CertStatus::kDateInvalid);
  const std::string self = SelfSigned();
  ChainStatusCache later(Now() + std::chrono::hours(24 * 60));
  EXPECT_EQ(later.StatusOf(Info(self), {}).status, CertStatus::kInvalid)
      << "Exchange shows an expired self-signed certificate as Invalid";
  EXPECT_EQ(cache.StatusOf(Info(self), {}).status, CertStatus::kValid);
}

TEST(ChainStatusCacheTest, PendingRequestsAndUnknownDerKeepTheirStatus) {
  ChainStatusCache cache(Now());
  CertificateInfo pending;
  pending.pending_request = true;
  EXPECT_EQ(cache.StatusOf(pending, {}).status, CertStatus::kPendingRequest);
  CertificateInfo no_der;
  no_der.status = CertStatus::kRevoked;
  EXPECT_EQ(cache.StatusOf(no_der, {}).status, CertStatus::kRevoked);
}

TEST(RootCaTypeOfTest, NoneForAValidSelfSignedCertificate) {
  CertificateInfo c = Info(SelfSigned());
  EXPECT_EQ(RootCaTypeOf(c, CertStatus::kValid), RootCaType::kNone);
  EXPECT_EQ(RootCaTypeOf(c, CertStatus::kInvalid), RootCaType::kUnknown);
  EXPECT_EQ(RootCaTypeOf(Info(testing::IssueWithKey().der), CertStatus::kValid),
            RootCaType::kUnknown);
}

}  // namespace
}  // namespace xcert::store
