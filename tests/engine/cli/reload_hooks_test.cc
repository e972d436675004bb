// Reload hooks run once for each server whose bindings changed, as a
// program with arguments (no shell), and a failing hook says why.
#include "engine/cli/reload_hooks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "resources/store/memory_store.h"
#include "tests/support/test_util.h"

namespace xcert::cli {
namespace {

using ::testing::HasSubstr;
using xcert::testing::TempDir;

class ReloadHooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"EX1", "EX2", "EX3"}) {
      store::ServerSeed seed;
      seed.identity.name = name;
      seed.identity.fqdn = std::string(name) + ".contoso.test";
      stores_.Add(seed);
      ServerSpec s;
      s.name = name;
      s.fqdn = seed.identity.fqdn;
      manifest_.servers.push_back(s);
      before_[name].server = name;
    }
  }
  // What apply did: EX1's IIS moved.
  void ChangeEx1() {
    Bindings b;
    b.iis = "AA";
    static_cast<store::MemoryStore*>(stores_.Find("EX1"))->SetBindings(b);
  }

  TempDir dir_;
  Manifest manifest_;
  store::MemoryStoreSet stores_;
  ActualState before_;
};

TEST_F(ReloadHooksTest, OnlyServersWhoseBindingsChangedRunTheirHookOnce) {
  const fs::path ran1 = dir_.path() / "ran-EX1";
  const fs::path ran2 = dir_.path() / "ran-EX2";
  manifest_.servers[0].reload_hook = {"touch", ran1.string()};
  manifest_.servers[1].reload_hook = {"touch", ran2.string()};
  ChangeEx1();
  const std::vector<HookRun> runs = RunReloadHooks(manifest_, before_, stores_);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].server, "EX1");
  EXPECT_TRUE(runs[0].ok) << runs[0].detail;
  EXPECT_THAT(runs[0].detail, HasSubstr("exit 0 ("));
  EXPECT_TRUE(fs::exists(ran1));
  EXPECT_FALSE(fs::exists(ran2)) << "EX2's bindings did not change";
}

TEST_F(ReloadHooksTest, ArgumentsAreNotInterpretedByAShell) {
  const fs::path out = dir_.path() / "a b; rm -rf x";
  manifest_.servers[0].reload_hook = {"touch", out.string()};
  ChangeEx1();
  const std::vector<HookRun> runs = RunReloadHooks(manifest_, before_, stores_);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_TRUE(runs[0].ok) << runs[0].detail;
  EXPECT_TRUE(fs::exists(out)) << "one argument, spaces and ';' included";
}

TEST_F(ReloadHooksTest, AFailingHookSaysItsExitCodeAndTheEndOfItsOutput) {
  manifest_.servers[0].reload_hook = {"sh", "-c", "echo 'nginx: [emerg] bad key' >&2; exit 3"};
  ChangeEx1();
  const std::vector<HookRun> runs = RunReloadHooks(manifest_, before_, stores_);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_FALSE(runs[0].ok);
  EXPECT_THAT(runs[0].detail, HasSubstr("exit 3 ("));
  EXPECT_THAT(runs[0].detail, HasSubstr("): nginx: [emerg] bad key"));
}

TEST_F(ReloadHooksTest, AMissingProgramAndATimeoutAreFailures) {
  manifest_.servers[0].reload_hook = {"/nonexistent/reload-it"};
  ChangeEx1();
  std::vector<HookRun> runs = RunReloadHooks(manifest_, before_, stores_);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_FALSE(runs[0].ok);
  EXPECT_THAT(runs[0].detail, HasSubstr("/nonexistent/reload-it"));

  manifest_.servers[0].reload_hook = {"sleep", "30"};
  runs = RunReloadHooks(manifest_, before_, stores_, {}, std::chrono::seconds(1));
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_FALSE(runs[0].ok);
  EXPECT_THAT(runs[0].detail, HasSubstr("did not finish within 1 seconds"));
}

}  // namespace
}  // namespace xcert::cli
