// The Store contract suite (store_contract.h) over the in-memory store and
// the local directory store.
#include "tests/resources/store/store_contract.h"

#include "resources/store/local_store.h"
#include "resources/store/memory_store.h"

namespace xcert::store::testing {
namespace {

StoreUnderTest MakeMemory(const ServerSeed& seed) {
  return {std::make_unique<MemoryStore>(seed), nullptr};
}

StoreUnderTest MakeLocal(const ServerSeed& seed) {
  auto dir = std::make_shared<TempDir>();
  const fs::path root = dir->path() / "store";
  Status s = LocalStore::EnsureRoot(root);
  EXPECT_TRUE(s.ok()) << s.message();
  s = LocalStore::CreateServer(root, seed);
  EXPECT_TRUE(s.ok()) << s.message();
  return {std::make_unique<LocalStore>(root, seed.identity.name), dir};
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreContractTest,
                         ::testing::Values(StoreFactory{"Memory", MakeMemory},
                                           StoreFactory{"Local", MakeLocal}),
                         StoreFactoryName);

}  // namespace
}  // namespace xcert::store::testing
