#include "resources/store/store_init.h"

#include <unistd.h>

#include <set>

#include <gtest/gtest.h>

#include "engine/apply/lock.h"
#include "resources/store/local_store.h"
#include "tests/resources/store/store_test_util.h"

namespace xcert::store {
namespace {

using testing::TempDir;

StoreInitRequest Request(const fs::path& store, const std::string& name = "Edge01") {
  return {store,
          {name, name + ".pocket-consultant.com", {Role::kEdgeTransport}, ExchangeVersion::k2019},
          ""};
}

TEST(StoreInitTest, CreatesTheStoreAndTheServer) {
  TempDir dir;
  const fs::path store = dir.path() / "new" / "store";
  Result<StoreInitResult> r = InitServerStore(Request(store), DefaultClock());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->created);
  EXPECT_EQ(r->server_dir, store / "Edge01");
  EXPECT_TRUE(r->state.problems.empty());
  ASSERT_EQ(r->state.certificates.size(), 1u);
  EXPECT_EQ(r->state.certificates[0].services.ToLetters(), "....S..");
  EXPECT_EQ(xcert::testing::ReadFileOrDie(store / "xcert-store.json"),
            "{\n  \"format\": \"xcert-local-store\",\n  \"version\": 1\n}\n");
  EXPECT_EQ(r->state.identity.fqdn, "Edge01.pocket-consultant.com");
}

TEST(StoreInitTest, AnExistingServerIsLeftExactlyAsItIs) {
  TempDir dir;
  const fs::path store = dir.path() / "store";
  Result<StoreInitResult> first = InitServerStore(Request(store), DefaultClock());
  ASSERT_TRUE(first.ok());
  const std::string bindings = xcert::testing::ReadFileOrDie(store / "Edge01" / "bindings.json");
  StoreInitRequest again = Request(store);
  again.identity.fqdn = "other.pocket-consultant.com";
  Result<StoreInitResult> second = InitServerStore(again, DefaultClock());
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->state.identity.fqdn, "Edge01.pocket-consultant.com");
  EXPECT_EQ(second->state.certificates[0].thumbprint, first->state.certificates[0].thumbprint);
  EXPECT_EQ(xcert::testing::ReadFileOrDie(store / "Edge01" / "bindings.json"), bindings);
}

TEST(StoreInitTest, InvalidInputWritesNothing) {
  TempDir dir;
  const fs::path store = dir.path() / "store";
  StoreInitRequest r = Request(store);
  r.identity.roles = {Role::kEdgeTransport, Role::kMailbox};
  Result<StoreInitResult> result = InitServerStore(r, DefaultClock());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(fs::exists(store));
}

TEST(StoreInitTest, AnotherWriterHoldingTheLockIsNamed) {
  TempDir dir;
  const fs::path store = dir.path() / "store";
  ASSERT_TRUE(LocalStore::EnsureRoot(store).ok());
  Result<StoreLock> held = StoreLock::Acquire(store, testing::Now());
  ASSERT_TRUE(held.ok());
  // flock locks belong to the open file: a second open in this process conflicts like another
  // process.
  Result<StoreInitResult> r = InitServerStore(Request(store), DefaultClock());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_NE(r.status().message().find("pid " + std::to_string(::getpid())), std::string::npos)
      << r.status().message();
  EXPECT_FALSE(fs::exists(store / "Edge01"));
}

// store init -f: many servers at once under one lock; the ones there stay
// as they are, a bad one fails alone, and every created one reads back.
TEST(StoreInitTest, ManyServersAtOnceEachCompleteABadOneFailsAlone) {
  TempDir dir;
  const fs::path store = dir.path() / "store";
  ASSERT_TRUE(InitServerStore(Request(store, "Edge00"), DefaultClock()).ok());
  const std::string kept = xcert::testing::ReadFileOrDie(store / "Edge00" / "bindings.json");
  std::vector<ServerIdentity> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(Request(store, "Edge0" + std::to_string(i)).identity);
  ids.push_back(
      {"bad name", "x.pocket-consultant.com", {Role::kEdgeTransport}, ExchangeVersion::k2019});
  ids.push_back({"Mbx1", "mbx1.pocket-consultant.com", {Role::kMailbox}, ExchangeVersion::k2019});
  auto results = InitServerStores(store, ids, "pocket-consultant.com", DefaultClock(), 4);
  ASSERT_TRUE(results.ok()) << results.status().message();
  ASSERT_EQ(results->size(), ids.size());
  EXPECT_FALSE((*results)[0]->created) << "Edge00 was there";
  EXPECT_EQ(xcert::testing::ReadFileOrDie(store / "Edge00" / "bindings.json"), kept);
  for (size_t i = 1; i < 6; ++i) {
    ASSERT_TRUE((*results)[i].ok()) << (*results)[i].status().message();
    EXPECT_TRUE((*results)[i]->created);
    LocalStore read(store, ids[i].name, DefaultClock());
    Result<ServerState> state = read.List();
    ASSERT_TRUE(state.ok()) << state.status().message();
    EXPECT_TRUE(state->problems.empty());
    EXPECT_EQ(state->identity.fqdn, ids[i].fqdn);
  }
  EXPECT_FALSE((*results)[6].ok()) << "a server name with a space";
  EXPECT_FALSE(fs::exists(store / "bad name"));
  ASSERT_TRUE((*results)[7].ok()) << (*results)[7].status().message();
  EXPECT_EQ((*results)[7]->state.certificates.size(), 3u) << "a Mailbox server, with the domain";
  // Nothing left behind by the parallel work: only the servers and the store's files.
  std::set<std::string> entries;
  for (const auto& e : fs::directory_iterator(store)) entries.insert(e.path().filename());
  EXPECT_EQ(entries, (std::set<std::string>{"Edge00", "Edge01", "Edge02", "Edge03", "Edge04",
                                            "Edge05", "Mbx1", "xcert-store.json", "xcert.lock"}));
}

TEST(StoreInitTest, AFolderOfSomethingElseIsRefused) {
  TempDir dir;
  dir.Write("photos/cat.jpg", "meow");
  Result<StoreInitResult> r = InitServerStore(Request(dir.path() / "photos"), DefaultClock());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), (dir.path() / "photos").string() +
                                      " is not empty and not an xcert store; give --store a new "
                                      "or empty folder");
}

}  // namespace
}  // namespace xcert::store
