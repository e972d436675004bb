#include "resources/store/memory_store.h"

#include <gtest/gtest.h>

#include "tests/resources/store/store_test_util.h"

namespace xcert::store {
namespace {

using testing::Mailbox;
using testing::SetupSeed;

TEST(MemoryStoreTest, HoldsItsSeed) {
  MemoryStore store(SetupSeed(Mailbox()));
  Result<ServerState> state = store.List();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->server, "MailServer21");
  EXPECT_EQ(state->identity.fqdn, "MailServer21.pocket-consultant.com");
  EXPECT_EQ(state->certificates.size(), 3u);
  EXPECT_EQ(state->bindings, SetupSeed(Mailbox()).bindings);
  EXPECT_TRUE(state->problems.empty());
}

TEST(MemoryStoreTest, AnUnreadableSeedCertificateIsAProblem) {
  ServerSeed seed{Mailbox(), {}, {}, {}};
  seed.certificates.push_back(StoredCertificate{"not DER", {}, {}, {}});
  MemoryStore store(seed);
  Result<ServerState> state = store.List();
  ASSERT_TRUE(state.ok());
  ASSERT_EQ(state->problems.size(), 1u);
  EXPECT_EQ(state->problems[0].rfind("seed " + x509::Sha1Hex("not DER") + ": ", 0), 0u);
}

TEST(MemoryStoreTest, TestHooksSetBindingsAndProblems) {
  MemoryStore store(SetupSeed(Mailbox()));
  Bindings b;
  b.auth_next = std::string(40, 'A');
  store.SetBindings(b);
  store.AddProblem("x: damaged");
  Result<ServerState> state = store.List();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->bindings, b);
  EXPECT_EQ(state->problems, std::vector<std::string>{"x: damaged"});
  EXPECT_FALSE(state->complete());
}

TEST(MemoryStoreSetTest, FindsByServerName) {
  MemoryStoreSet set;
  MemoryStore& a = set.Add(SetupSeed(Mailbox()));
  set.Add(SetupSeed(testing::Edge()));
  EXPECT_EQ(set.Find("MailServer21"), &a);
  ASSERT_NE(set.Find("Edge01"), nullptr);
  EXPECT_EQ(set.Find("Edge01")->server(), "Edge01");
  EXPECT_EQ(set.Find("Nope"), nullptr);
}

}  // namespace
}  // namespace xcert::store
