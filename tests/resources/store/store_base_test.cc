// The order StoreBase performs each operation in, which crash safety relies
// on (the shared behaviour itself is the contract suite's job).
#include "resources/store/store_base.h"

#include <gtest/gtest.h>

#include "resources/store/memory_store.h"
#include "tests/resources/store/store_test_util.h"

namespace xcert::store {
namespace {

using testing::Ec;
using testing::Mailbox;
using testing::SetupSeed;

// Records the mutating primitives; can make AddCertificate fail.
class RecordingStore : public MemoryStore {
 public:
  using MemoryStore::MemoryStore;
  std::vector<std::string> calls;
  bool fail_add = false;

 protected:
  Status AddCertificate(const std::string& t, const StoredCertificate& c) override {
    calls.push_back("AddCertificate");
    if (fail_add) return IoError("disk full");
    return MemoryStore::AddCertificate(t, c);
  }
  Status DeleteCertificate(const std::string& t) override {
    calls.push_back("DeleteCertificate");
    return MemoryStore::DeleteCertificate(t);
  }
  Status DeleteRequest(const std::string& id) override {
    calls.push_back("DeleteRequest");
    return MemoryStore::DeleteRequest(id);
  }
  Status WriteBindings(const Bindings& b) override {
    calls.push_back("WriteBindings");
    return MemoryStore::WriteBindings(b);
  }
};

std::string Answer(Store& s, const std::string& id) {
  Result<std::optional<CertificateInfo>> req = s.Get(id);
  EXPECT_TRUE(req.ok() && req->has_value());
  Result<x509::CsrInfo> csr = x509::ParseCsr((*req)->csr_pem);
  EXPECT_TRUE(csr.ok());
  return x509::ToPem("CERTIFICATE",
                     testing::IssueLeaf("CN=r.example.com", {}, csr->public_key_der));
}

TEST(StoreBaseTest, CompletingARequestPublishesTheCertificateBeforeDeletingTheRequest) {
  RecordingStore s(SetupSeed(Mailbox()));
  Result<CreateResult> req = s.Create({"CN=r.example.com", {}, Ec(), Seconds(0), "", true});
  ASSERT_TRUE(req.ok());
  s.calls.clear();
  ASSERT_TRUE(s.Import({Answer(s, req->certificate.thumbprint), "", false, ""}).ok());
  EXPECT_EQ(s.calls, (std::vector<std::string>{"AddCertificate", "DeleteRequest"}));
}

TEST(StoreBaseTest, AFailedCompletionKeepsTheRequestAndItsKey) {
  RecordingStore s(SetupSeed(Mailbox()));
  Result<CreateResult> req = s.Create({"CN=r.example.com", {}, Ec(), Seconds(0), "", true});
  ASSERT_TRUE(req.ok());
  s.fail_add = true;
  Result<CertificateInfo> r = s.Import({Answer(s, req->certificate.thumbprint), "", false, ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "disk full");
  Result<std::optional<CertificateInfo>> still = s.Get(req->certificate.thumbprint);
  ASSERT_TRUE(still.ok() && still->has_value());
  EXPECT_TRUE((*still)->pending_request);
}

TEST(StoreBaseTest, RemoveDeletesTheCertificateBeforeRewritingTheBindings) {
  RecordingStore s(SetupSeed(Mailbox()));
  Result<CreateResult> c = s.Create({"CN=x.example.com", {}, Ec(), Seconds(86400), "", false});
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(s.Enable(c->certificate.thumbprint, ServiceSet{Service::kSmtp}, {}).ok());
  s.calls.clear();
  ASSERT_TRUE(s.Remove(c->certificate.thumbprint).ok());
  EXPECT_EQ(s.calls, (std::vector<std::string>{"DeleteCertificate", "WriteBindings"}));
}

TEST(StoreBaseTest, EnablingWhatIsAlreadyServedWritesNothing) {
  RecordingStore s(SetupSeed(Mailbox()));
  const std::string t = testing::SeedThumbprint(SetupSeed(Mailbox()), kDefaultFriendlyName);
  s.calls.clear();
  ASSERT_TRUE(s.Enable(t, ServiceSet{Service::kIis, Service::kSmtp}, {}).ok());
  EXPECT_TRUE(s.calls.empty());
}

TEST(StoreBaseTest, ARefusedOperationWritesNothing) {
  RecordingStore s(SetupSeed(Mailbox()));
  const std::string auth = testing::SeedThumbprint(SetupSeed(Mailbox()), kAuthFriendlyName);
  s.calls.clear();
  EXPECT_FALSE(s.Remove(auth).ok());
  EXPECT_FALSE(s.Enable(auth, ServiceSet{Service::kFederation}, {}).ok());
  EXPECT_TRUE(s.calls.empty());
}

TEST(StoreBaseTest, DefaultClockIsTheSystemClock) {
  const auto before = testing::Now();
  EXPECT_GE(DefaultClock().Now(), before);
}

}  // namespace
}  // namespace xcert::store
