#include "engine/plan/shard.h"

#include <map>

#include <gtest/gtest.h>

namespace xcert {
namespace {

using Names = std::vector<std::string>;

Manifest Fleet(int servers) {
  Manifest m;
  for (int i = 1; i <= servers; ++i) {
    m.servers.push_back({"MX" + std::to_string(i), "mx" + std::to_string(i) + ".example.com"});
  }
  return m;
}

CertificateSpec Shared(const std::string& name, Names servers, bool per_server = false) {
  CertificateSpec c;
  c.name = name;
  c.servers = std::move(servers);
  c.per_server = per_server;
  return c;
}

std::map<std::string, int> ShardOfServer(const std::vector<Names>& shards) {
  std::map<std::string, int> out;
  for (size_t k = 0; k < shards.size(); ++k) {
    for (const std::string& s : shards[k]) out[s] = int(k);
  }
  return out;
}

TEST(ParseShard, ReadsKOfN) {
  EXPECT_EQ(*ParseShard("1/1"), (ShardSpec{1, 1}));
  EXPECT_EQ(*ParseShard("3/4"), (ShardSpec{3, 4}));
  EXPECT_EQ(ParseShard("3/4")->ToString(), "3/4");
}

TEST(ParseShard, RefusesWhatIsNotAShardAndSaysTheForm) {
  for (const char* bad : {"", "3", "0/4", "5/4", "1/0", "-1/4", "1/4x", "a/b", "1/10001", "2 /4"}) {
    Result<ShardSpec> s = ParseShard(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.status().message().find("K/N"), std::string::npos) << s.status().message();
  }
}

std::optional<std::string> Lookup(const std::map<std::string, std::string>& vars, const char* n) {
  auto it = vars.find(n);
  return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
}

Result<ShardSpec> FromEnv(std::map<std::string, std::string> vars) {
  return ShardFromEnvironment([vars](const char* n) { return Lookup(vars, n); });
}

TEST(ShardFromEnvironment, NotShardedWithoutTheVariables) {
  EXPECT_FALSE(FromEnv({})->active());
  EXPECT_FALSE(FromEnv({{"XCERT_SHARD_TOTAL", "4"}})->active());
}

TEST(ShardFromEnvironment, GitLabParallelCountsFromOne) {
  EXPECT_EQ(*FromEnv({{"CI_NODE_INDEX", "2"}, {"CI_NODE_TOTAL", "5"}}), (ShardSpec{2, 5}));
}

TEST(ShardFromEnvironment, KubernetesIndexedJobCountsFromZero) {
  EXPECT_EQ(*FromEnv({{"JOB_COMPLETION_INDEX", "0"}, {"XCERT_SHARD_TOTAL", "3"}}),
            (ShardSpec{1, 3}));
  EXPECT_EQ(*FromEnv({{"JOB_COMPLETION_INDEX", "2"}, {"XCERT_SHARD_TOTAL", "3"}}),
            (ShardSpec{3, 3}));
}

TEST(ShardFromEnvironment, WrongVariablesAreNamed) {
  Result<ShardSpec> s = FromEnv({{"CI_NODE_INDEX", "6"}, {"CI_NODE_TOTAL", "5"}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("CI_NODE_INDEX=6"), std::string::npos);
  s = FromEnv({{"JOB_COMPLETION_INDEX", "3"}, {"XCERT_SHARD_TOTAL", "3"}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("JOB_COMPLETION_INDEX=3"), std::string::npos);
  s = FromEnv({{"JOB_COMPLETION_INDEX", "0"}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("set XCERT_SHARD_TOTAL"), std::string::npos);
  s = FromEnv({{"CI_NODE_TOTAL", "x"}, {"CI_NODE_INDEX", "1"}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("CI_NODE_TOTAL=x"), std::string::npos);
}

TEST(PartitionServers, EveryServerInExactlyOneShardInManifestOrder) {
  const Manifest m = Fleet(10);
  const std::vector<Names> shards = PartitionServers(m, 3);
  ASSERT_EQ(shards.size(), 3u);
  EXPECT_EQ(ShardOfServer(shards).size(), 10u);
  size_t total = 0;
  for (const Names& s : shards) {
    total += s.size();
    EXPECT_TRUE(std::is_sorted(s.begin(), s.end(), [](const std::string& a, const std::string& b) {
      return std::stoi(a.substr(2)) < std::stoi(b.substr(2));
    }));
  }
  EXPECT_EQ(total, 10u);
}

TEST(PartitionServers, BalancesIndependentServers) {
  const std::vector<Names> shards = PartitionServers(Fleet(8), 4);
  for (const Names& s : shards) EXPECT_EQ(s.size(), 2u);
}

TEST(PartitionServers, ServersSharingACertificateStayTogether) {
  Manifest m = Fleet(6);
  m.certificates = {Shared("mail", {"MX1", "MX4", "MX6"}), Shared("smtp", {"MX6", "MX2"}),
                    Shared("own", {"MX3", "MX5"}, /*per_server=*/true)};
  const std::map<std::string, int> shard = ShardOfServer(PartitionServers(m, 3));
  EXPECT_EQ(shard.at("MX1"), shard.at("MX4"));
  EXPECT_EQ(shard.at("MX1"), shard.at("MX6"));
  EXPECT_EQ(shard.at("MX1"), shard.at("MX2"));  // through MX6
  // perServer certificates are one per server: MX3 and MX5 need not meet,
  // and the big group fills one shard, so they go elsewhere.
  EXPECT_NE(shard.at("MX3"), shard.at("MX1"));
  EXPECT_NE(shard.at("MX5"), shard.at("MX1"));
}

TEST(PartitionServers, BalancesByCostNotByCount) {
  Manifest m = Fleet(4);
  // MX1 holds many certificates: it alone weighs more than the other three.
  for (int i = 0; i < 20; ++i) m.certificates.push_back(Shared("c" + std::to_string(i), {"MX1"}));
  const std::vector<Names> shards = PartitionServers(m, 2);
  EXPECT_EQ(shards[0], Names({"MX1"}));
  EXPECT_EQ(shards[1], Names({"MX2", "MX3", "MX4"}));
}

TEST(PartitionServers, MoreShardsThanGroupsLeavesSomeEmpty) {
  Manifest m = Fleet(3);
  m.certificates = {Shared("mail", {"MX1", "MX2", "MX3"})};
  const std::vector<Names> shards = PartitionServers(m, 4);
  EXPECT_EQ(shards[0], Names({"MX1", "MX2", "MX3"}));
  for (size_t k = 1; k < 4; ++k) EXPECT_TRUE(shards[k].empty());
}

TEST(PartitionServers, SameManifestSameShards) {
  Manifest m = Fleet(50);
  for (int i = 1; i + 1 <= 50; i += 7) {
    m.certificates.push_back(
        Shared("c" + std::to_string(i), {"MX" + std::to_string(i), "MX" + std::to_string(i + 1)}));
  }
  EXPECT_EQ(PartitionServers(m, 6), PartitionServers(m, 6));
}

TEST(ShardServers, InactiveShardIsEveryServer) {
  EXPECT_EQ(ShardServers(Fleet(3), ShardSpec{}), Names({"MX1", "MX2", "MX3"}));
  EXPECT_EQ(ShardServers(Fleet(3), ShardSpec{2, 3}), Names({"MX2"}));
}

TEST(RestrictToServers, KeepsOnlyTheCoveredServers) {
  Desired d;
  d.servers = {{"MX1"}, {"MX2"}, {"MX3"}};
  DesiredCertificate a, b;
  a.artifact = "mail";
  a.servers = {"MX1", "MX2"};
  b.artifact = "own@MX3";
  b.servers = {"MX3"};
  d.certificates = {a, b};
  RestrictToServers(&d, {"MX1", "MX2"});
  ASSERT_EQ(d.certificates.size(), 1u);
  EXPECT_EQ(d.certificates[0].artifact, "mail");
  EXPECT_EQ(d.certificates[0].servers, Names({"MX1", "MX2"}));
  ASSERT_EQ(d.servers.size(), 2u);
  EXPECT_EQ(d.servers[1].name, "MX2");
}

}  // namespace
}  // namespace xcert
