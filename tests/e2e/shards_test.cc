// Shards, run as a pipeline would: N jobs each run `xcert ... --shard K/N`
// on the same manifest; together they check and change exactly what one
// unsharded run would, and `report merge` joins their drift reports.
#include <map>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/test_util.h"

namespace xcert::testing {
namespace {

using ::testing::HasSubstr;

// Six Mailbox servers: `mail` is shared by MX1 and MX4 (one group, one
// shard); `host` is one certificate per server.
std::string FleetManifest() {
  std::string m =
      "version: 1\n"
      "organization: {domain: example.com}\n"
      "store: {type: local, path: ./store}\n"
      "backup: {path: ./backups, passwordEnv: XCERT_BACKUP_PASSWORD}\n"
      "issuers:\n  - {name: self, type: self-signed}\n"
      "servers:\n";
  for (int i = 1; i <= 6; ++i) {
    const std::string n = std::to_string(i);
    m += "  - {name: MX" + n + ", fqdn: mx" + n + ".example.com, roles: [Mailbox]}\n";
  }
  m += "certificates:\n"
       "  - name: mail\n"
       "    subject: CN=mail.example.com\n"
       "    dnsNames: [mail.example.com]\n"
       "    issuer: self\n"
       "    key: {algorithm: ECDSA, curve: P-256, exportable: true}\n"
       "    servers: [MX1, MX4]\n"
       "    services: [IIS]\n"
       "  - name: host\n"
       "    perServer: true\n"
       "    subject: CN={fqdn}\n"
       "    dnsNames: [\"{fqdn}\"]\n"
       "    issuer: self\n"
       "    key: {algorithm: ECDSA, curve: P-256, exportable: true}\n"
       "    servers: [MX1, MX2, MX3, MX4, MX5, MX6]\n"
       "    services: [SMTP]\n";
  return m;
}

class ShardsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("xcert.yaml", FleetManifest());
    RunResult init = X({"store", "init", "-f", "xcert.yaml"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }

  RunResult X(const std::vector<std::string>& args,
              std::map<std::string, std::string> env = {}) const {
    env.emplace("XCERT_BACKUP_PASSWORD", "shards-test-password");
    env.emplace("XCERT_NOW", "2026-11-25T10:00:00Z");
    env.emplace("NO_COLOR", "1");
    // Not a parallel CI job unless a test says so.
    for (const char* v : {"CI_NODE_INDEX", "CI_NODE_TOTAL", "JOB_COMPLETION_INDEX"})
      env.emplace(v, "");
    return RunXcert(args, dir_.path(), env);
  }

  // (server, certificate) -> status of a drift JSON report.
  static std::map<std::pair<std::string, std::string>, std::string> Items(const std::string& json) {
    std::map<std::pair<std::string, std::string>, std::string> out;
    const nlohmann::json report = nlohmann::json::parse(json);
    for (const auto& i : report["items"]) {
      out[{i["server"], i["certificate"]}] = i["status"];
    }
    return out;
  }

  TempDir dir_;
};

TEST_F(ShardsTest, ShardsCheckTogetherWhatOneRunChecksAndMergeIntoOneReport) {
  const RunResult whole = X({"drift", "--format", "json"});
  ASSERT_EQ(whole.exit_code, 2) << whole.err;
  std::map<std::pair<std::string, std::string>, std::string> joined;
  std::vector<std::string> files;
  std::map<std::string, int> shard_of;
  for (int k = 1; k <= 3; ++k) {
    const std::string shard = std::to_string(k) + "/3";
    const RunResult r = X({"drift", "--shard", shard, "--format", "json"});
    ASSERT_EQ(r.exit_code, 2) << r.err;
    EXPECT_THAT(r.err, HasSubstr("shard " + shard + ": "));
    EXPECT_EQ(nlohmann::json::parse(r.out)["shard"], shard);
    for (const auto& [key, status] : Items(r.out)) {
      EXPECT_TRUE(joined.emplace(key, status).second) << key.first << " checked twice";
      shard_of[key.first] = k;
    }
    files.push_back("drift-" + std::to_string(k) + ".json");
    dir_.Write(files.back(), r.out);
  }
  EXPECT_EQ(joined, Items(whole.out));
  EXPECT_EQ(shard_of.at("MX1"), shard_of.at("MX4")) << "they share 'mail'";

  const RunResult merged = X({"report", "merge", files[0], files[1], files[2], "--format", "json"});
  EXPECT_EQ(merged.exit_code, 2) << merged.err;
  EXPECT_EQ(Items(merged.out), Items(whole.out));
  const nlohmann::json m = nlohmann::json::parse(merged.out);
  EXPECT_EQ(m["missing_shards"].size(), 0u);
  EXPECT_EQ(m["total"], nlohmann::json::parse(whole.out)["total"]);

  const RunResult junit = X({"report", "merge", files[0], files[1], files[2], "--format", "junit"});
  EXPECT_EQ(junit.exit_code, 2);
  EXPECT_THAT(junit.out, HasSubstr("<testsuite name=\"MX4\""));

  // A job that died: its shard is named, and the pipeline fails.
  const RunResult partial = X({"report", "merge", files[0], files[2], "--format", "markdown"});
  EXPECT_EQ(partial.exit_code, 1);
  EXPECT_THAT(partial.out, HasSubstr("shard 2/3 sent no report"));
  EXPECT_THAT(partial.err, HasSubstr("no report of shard 2/3"));

  const RunResult twice = X({"report", "merge", files[0], files[0]});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_THAT(twice.err, HasSubstr("shard 1/3 is already in " + files[0]));
}

TEST_F(ShardsTest, ShardedAppliesConvergeTheWholeFleet) {
  for (int k = 1; k <= 4; ++k) {
    const RunResult r = X({"apply", "--auto-approve", "--shard", std::to_string(k) + "/4"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  const RunResult drift = X({"drift"});
  EXPECT_EQ(drift.exit_code, 0) << drift.out << drift.err;
  EXPECT_THAT(drift.out, HasSubstr("In sync: 8 certificates match the manifest."));
}

TEST_F(ShardsTest, TheCiEnginesVariablesChooseTheShard) {
  const RunResult flag = X({"plan", "--shard", "2/3", "--format", "json"});
  const RunResult gitlab =
      X({"plan", "--format", "json"}, {{"CI_NODE_INDEX", "2"}, {"CI_NODE_TOTAL", "3"}});
  const RunResult kubernetes =
      X({"plan", "--format", "json"}, {{"JOB_COMPLETION_INDEX", "1"}, {"XCERT_SHARD_TOTAL", "3"}});
  ASSERT_EQ(flag.exit_code, 0) << flag.err;
  ASSERT_EQ(gitlab.exit_code, 0) << gitlab.err;
  ASSERT_EQ(kubernetes.exit_code, 0) << kubernetes.err;
  const nlohmann::json a = nlohmann::json::parse(flag.out);
  EXPECT_EQ(a["shard"], "2/3");
  EXPECT_EQ(a["steps"], nlohmann::json::parse(gitlab.out)["steps"]);
  EXPECT_EQ(a["steps"], nlohmann::json::parse(kubernetes.out)["steps"]);
  EXPECT_FALSE(a["steps"].empty());
}

TEST_F(ShardsTest, ASavedPlanAppliesAsTheShardItWasPlannedFor) {
  const RunResult plan = X({"plan", "--shard", "1/2", "-o", "shard1.json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_EQ(nlohmann::json::parse(ReadFileOrDie(dir_.path() / "shard1.json"))["shard"], "1/2");
  const RunResult wrong = X({"apply", "shard1.json", "--auto-approve", "--shard", "2/2"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_THAT(wrong.err, HasSubstr("shard1.json was planned as shard 1/2, not as shard 2/2"));
  const RunResult right = X({"apply", "shard1.json", "--auto-approve"});
  EXPECT_EQ(right.exit_code, 0) << right.err;
  EXPECT_EQ(X({"drift", "--shard", "1/2"}).exit_code, 0);
  EXPECT_EQ(X({"drift", "--shard", "2/2"}).exit_code, 2);
}

TEST_F(ShardsTest, MistakesAreClearErrors) {
  const RunResult bad = X({"drift", "--shard", "4/3"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("--shard 4/3: not a shard; write K/N"));
  const RunResult both = X({"plan", "--shard", "1/2", "--server", "MX1"});
  EXPECT_EQ(both.exit_code, 1);
  EXPECT_THAT(both.err, HasSubstr("--shard and --server both choose servers"));
  const RunResult empty = X({"drift", "--shard", "6/6"});
  EXPECT_EQ(empty.exit_code, 0) << empty.out << empty.err;
  EXPECT_THAT(empty.err, HasSubstr("shard 6/6: no servers"));
}

}  // namespace
}  // namespace xcert::testing
