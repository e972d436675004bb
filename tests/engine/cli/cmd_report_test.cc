// `xcert report merge`: formats and exit codes of docs/commands/report.md,
// with the real binary on the example's drift reports.
#include <nlohmann/json.hpp>

#include "tests/engine/cli/cli_test_util.h"

namespace xcert::testing {
namespace {

using ::testing::HasSubstr;

class ReportCommandTest : public XcertCommandTest {
 protected:
  // The example's drift report as the only shard of one.
  void Shard(const std::string& file) {
    const RunResult r = X({"drift", "--shard", "1/1", "--format", "json"});
    ASSERT_NE(r.exit_code, 1) << r.err;
    dir_.Write(file, r.out);
  }
};

TEST_F(ReportCommandTest, MergedDriftExitsTwoInEveryFormat) {
  Init();
  Shard("d1.json");
  for (const char* format : {"text", "json", "markdown", "junit"}) {
    const RunResult r = X({"report", "merge", "d1.json", "--format", format});
    EXPECT_EQ(r.exit_code, 2) << format << r.err;
    EXPECT_THAT(r.out, HasSubstr("MailServer21")) << format;
  }
  const nlohmann::json j =
      nlohmann::json::parse(X({"report", "merge", "d1.json", "--format", "json"}).out);
  EXPECT_EQ(j["merged_shards"], nlohmann::json::array({"1/1"}));
  EXPECT_EQ(j["missing_shards"], nlohmann::json::array());
}

TEST_F(ReportCommandTest, InSyncMergeExitsZero) {
  Init();
  ASSERT_EQ(X({"apply", "--auto-approve"}).exit_code, 0);
  Shard("d1.json");
  const RunResult r = X({"report", "merge", "d1.json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("In sync: 1 certificate matches the manifest."));
}

TEST_F(ReportCommandTest, WhatIsNotADriftReportIsAnErrorNamingTheFile) {
  Init();
  ASSERT_EQ(X({"plan", "-o", "plan.json"}).exit_code, 0);
  const RunResult plan = X({"report", "merge", "plan.json"});
  EXPECT_EQ(plan.exit_code, 1);
  EXPECT_THAT(plan.err, HasSubstr("plan.json: not a drift report of xcert drift --format json"));
  EXPECT_EQ(plan.out, "");
  const RunResult missing = X({"report", "merge", "nowhere.json"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("nowhere.json"));
  EXPECT_EQ(X({"report", "merge"}).exit_code, 1) << "a report is required";
}

}  // namespace
}  // namespace xcert::testing
