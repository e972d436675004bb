#include "resources/store/show_report.h"

#include <fstream>

#include <gtest/gtest.h>

#include "resources/store/local_store.h"
#include "resources/store/memory_store.h"
#include "tests/resources/store/store_test_util.h"

namespace xcert::store {
namespace {

using testing::Edge;
using testing::Mailbox;
using testing::SetupSeed;
using testing::TempDir;

class ShowReportTest : public ::testing::Test {
 protected:
  ShowReportTest() : root_(dir_.path() / "store") {
    EXPECT_TRUE(LocalStore::EnsureRoot(root_).ok());
    EXPECT_TRUE(LocalStore::CreateServer(root_, SetupSeed(Mailbox())).ok());
    EXPECT_TRUE(LocalStore::CreateServer(root_, SetupSeed(Edge())).ok());
    LocalStore mbx(root_, "MailServer21");
    issued_ = testing::IssueWithKey();
    EXPECT_TRUE(mbx.Import({testing::PemBundle(issued_), "", false, ""}).ok());
  }
  TempDir dir_;
  fs::path root_;
  testing::Issued issued_;
};

TEST_F(ShowReportTest, EveryServerWithChainStatus) {
  Result<ShowReport> r = CollectLocalShow(root_, "./store", {{}, true, testing::Now(), 2});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->store, "./store");
  ASSERT_EQ(r->servers.size(), 2u);
  EXPECT_EQ(r->servers[0].name, "Edge01");
  const ShowServer& m = r->servers[1];
  EXPECT_EQ(m.name, "MailServer21");
  EXPECT_EQ(m.dir, root_ / "MailServer21");
  ASSERT_EQ(m.state.certificates.size(), 4u);
  ASSERT_EQ(m.status.size(), 4u);
  ASSERT_EQ(m.files.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(m.status[i].status, CertStatus::kValid)
        << m.state.certificates[i].subject << ": " << m.status[i].detail;
  }
  EXPECT_TRUE(r->Problems().empty());
}

TEST_F(ShowReportTest, AnUnknownServerIsRefusedWithTheServersThereAre) {
  Result<ShowReport> r =
      CollectLocalShow(root_, "./store", {{"MailServer12"}, true, testing::Now(), 1});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "--server MailServer12: ./store has no such server; did you mean MailServer21? Servers "
            "there: Edge01, MailServer21");
}

TEST_F(ShowReportTest, AnUnknownServerWithNothingCloseListsTheServersThereAre) {
  Result<ShowReport> r = CollectLocalShow(root_, "./store", {{"zzz"}, true, testing::Now(), 1});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "--server zzz: ./store has no such server; servers there: Edge01, MailServer21");
}

TEST_F(ShowReportTest, AManifestServerWithoutAFolderIsThatServersError) {
  Result<ShowReport> r = CollectLocalShow(
      root_, "./store", {{"MailServer21", "MailServer22"}, false, testing::Now(), 1});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->servers.size(), 2u);
  EXPECT_EQ(r->servers[1].error.rfind("the store has no server MailServer22", 0), 0u)
      << r->servers[1].error;
  ASSERT_EQ(r->Problems().size(), 1u);
  EXPECT_EQ(r->Problems()[0], "MailServer22: " + r->servers[1].error);
}

TEST(ShowReportProblemsTest, AnErrorThatNamesItsServerIsNotPrefixedAgain) {
  ShowReport r;
  r.servers.push_back(
      {"MailServer21", "MailServer21: the transport exited with code 255", {}, {}, {}, {}});
  r.servers.push_back({"Edge01", "the store has no server Edge01", {}, {}, {}, {}});
  EXPECT_EQ(r.Problems(),
            (std::vector<std::string>{"MailServer21: the transport exited with code 255",
                                      "Edge01: the store has no server Edge01"}));
}

TEST_F(ShowReportTest, DamageIsListedPerServer) {
  std::ofstream(root_ / "Edge01" / "stray.txt") << "x";
  Result<ShowReport> r = CollectLocalShow(root_, "./store", {{"Edge01"}, true, testing::Now(), 1});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->Problems().size(), 1u);
  EXPECT_EQ(r->Problems()[0].rfind(
                "Edge01: " + (root_ / "Edge01" / "stray.txt").string() + ": unexpected entry", 0),
            0u);
}

TEST(CollectShowTest, OtherStoresKeepTheStatusTheirListReports) {
  MemoryStoreSet stores;
  stores.Add(SetupSeed(Mailbox()));
  ShowReport r =
      CollectShow(stores, "exchange", {{"MailServer21", "Nope"}, false, testing::Now(), 2});
  ASSERT_EQ(r.servers.size(), 2u);
  EXPECT_FALSE(r.servers[0].dir.has_value());
  EXPECT_TRUE(r.servers[0].files.empty());
  ASSERT_EQ(r.servers[0].status.size(), 3u);
  EXPECT_EQ(r.servers[0].status[0].status, r.servers[0].state.certificates[0].status);
  EXPECT_EQ(r.servers[1].error, "no store is configured for this server");
}

}  // namespace
}  // namespace xcert::store
