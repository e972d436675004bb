#include "engine/cli/shard_flag.h"

#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace xcert::cli {
namespace {

using testing::CapturedFile;
using ::testing::HasSubstr;

class ResolveShardTest : public ::testing::Test {
 protected:
  void SetUp() override { Clear(); }
  void TearDown() override { Clear(); }
  static void Clear() {
    for (const char* v :
         {"CI_NODE_INDEX", "CI_NODE_TOTAL", "JOB_COMPLETION_INDEX", "XCERT_SHARD_TOTAL"}) {
      ::unsetenv(v);
    }
  }
  CapturedFile out_, err_;
  Output output_{out_.get(), err_.get()};
};

TEST_F(ResolveShardTest, FlagWins) {
  ::setenv("CI_NODE_INDEX", "1", 1);
  ::setenv("CI_NODE_TOTAL", "2", 1);
  EXPECT_EQ(*ResolveShard("3/4", false, output_), (ShardSpec{3, 4}));
}

TEST_F(ResolveShardTest, GitLabParallelJobWithoutFlag) {
  ::setenv("CI_NODE_INDEX", "2", 1);
  ::setenv("CI_NODE_TOTAL", "3", 1);
  EXPECT_EQ(*ResolveShard("", false, output_), (ShardSpec{2, 3}));
}

TEST_F(ResolveShardTest, EmptyVariablesAreUnset) {
  ::setenv("CI_NODE_TOTAL", "", 1);
  EXPECT_FALSE(ResolveShard("", false, output_)->active());
}

TEST_F(ResolveShardTest, ServerNamedIgnoresTheEnvironment) {
  ::setenv("CI_NODE_INDEX", "2", 1);
  ::setenv("CI_NODE_TOTAL", "3", 1);
  EXPECT_FALSE(ResolveShard("", true, output_)->active());
}

TEST_F(ResolveShardTest, FlagAndServerTogetherIsAnError) {
  EXPECT_FALSE(ResolveShard("1/2", true, output_));
  EXPECT_THAT(err_.Text(), HasSubstr("--shard and --server both choose servers"));
}

TEST_F(ResolveShardTest, BadValuesAreReported) {
  EXPECT_FALSE(ResolveShard("5/4", false, output_));
  EXPECT_THAT(err_.Text(), HasSubstr("--shard 5/4: not a shard"));
  ::setenv("JOB_COMPLETION_INDEX", "0", 1);
  EXPECT_FALSE(ResolveShard("", false, output_));
  EXPECT_THAT(err_.Text(), HasSubstr("XCERT_SHARD_TOTAL"));
}

TEST_F(ResolveShardTest, SayShardCountsAndExplainsAnEmptyShard) {
  SayShard({2, 4}, 3, 12, output_);
  SayShard({4, 4}, 0, 12, output_);
  EXPECT_THAT(err_.Text(), HasSubstr("shard 2/4: 3 of 12 servers"));
  EXPECT_THAT(err_.Text(), HasSubstr("shard 4/4: no servers"));
}

}  // namespace
}  // namespace xcert::cli
