#include "engine/plan/shard.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <numeric>

#include <boost/pending/disjoint_sets.hpp>

namespace xcert {

std::string ShardSpec::ToString() const {
  return std::to_string(index) + "/" + std::to_string(total);
}

namespace {

constexpr int kMaxShards = 10000;

std::optional<int> ParseCount(std::string_view text) {
  int value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

Result<ShardSpec> ParseShard(std::string_view text) {
  const size_t slash = text.find('/');
  const std::optional<int> index =
      slash == std::string_view::npos ? std::nullopt : ParseCount(text.substr(0, slash));
  const std::optional<int> total =
      slash == std::string_view::npos ? std::nullopt : ParseCount(text.substr(slash + 1));
  if (!index || !total || *total < 1 || *total > kMaxShards || *index < 1 || *index > *total) {
    return InvalidArgument("--shard " + std::string(text) +
                           ": not a shard; write K/N, the K-th of N shards, with 1 <= K <= N <= " +
                           std::to_string(kMaxShards) + " (e.g. --shard 2/4)");
  }
  return ShardSpec{*index, *total};
}

Result<ShardSpec> ShardFromEnvironment(const EnvLookup& env) {
  auto number = [&](const char* name, int min, int max) -> Result<int> {
    const std::optional<std::string> text = env(name);
    const std::optional<int> n = text ? ParseCount(*text) : std::nullopt;
    if (!n || *n < min || *n > max) {
      return InvalidArgument(std::string(name) + "=" + text.value_or("") +
                             ": not a shard number from " + std::to_string(min) + " to " +
                             std::to_string(max) + "; fix the job's variables or pass --shard K/N");
    }
    return *n;
  };
  if (env("CI_NODE_TOTAL")) {  // GitLab `parallel: N`
    XCERT_ASSIGN_OR_RETURN(int total, number("CI_NODE_TOTAL", 1, kMaxShards));
    XCERT_ASSIGN_OR_RETURN(int index, number("CI_NODE_INDEX", 1, total));
    return ShardSpec{index, total};
  }
  if (env("JOB_COMPLETION_INDEX")) {  // Kubernetes Indexed Job
    if (!env("XCERT_SHARD_TOTAL")) {
      return InvalidArgument(
          "JOB_COMPLETION_INDEX is set but XCERT_SHARD_TOTAL is not; set XCERT_SHARD_TOTAL to the "
          "Job's completions, or pass --shard K/N");
    }
    XCERT_ASSIGN_OR_RETURN(int total, number("XCERT_SHARD_TOTAL", 1, kMaxShards));
    XCERT_ASSIGN_OR_RETURN(int index, number("JOB_COMPLETION_INDEX", 0, total - 1));
    return ShardSpec{index + 1, total};
  }
  return ShardSpec{};
}

std::vector<std::vector<std::string>> PartitionServers(const Manifest& m, int total) {
  const size_t n = m.servers.size();
  std::map<std::string, size_t> position;
  for (size_t i = 0; i < n; ++i) position.emplace(m.servers[i].name, i);
  std::vector<size_t> rank(n), parent(n);
  boost::disjoint_sets<size_t*, size_t*> components(rank.data(), parent.data());
  for (size_t i = 0; i < n; ++i) components.make_set(i);
  std::vector<long long> cost(n, kServerReadCost);
  for (const CertificateSpec& c : m.certificates) {
    std::optional<size_t> first;
    for (const std::string& server : c.servers) {
      auto it = position.find(server);
      if (it == position.end()) continue;
      ++cost[it->second];
      if (c.per_server) continue;  // one certificate per server: nothing shared
      if (first) components.union_set(*first, it->second);
      first = first.value_or(it->second);
    }
  }
  // Components in order of their first server, with their cost.
  struct Component {
    std::vector<size_t> members;
    long long cost = 0;
  };
  std::vector<Component> list;
  std::map<size_t, size_t> index_of_root;
  for (size_t i = 0; i < n; ++i) {
    const size_t root = components.find_set(i);
    auto [it, added] = index_of_root.emplace(root, list.size());
    if (added) list.emplace_back();
    list[it->second].members.push_back(i);
    list[it->second].cost += cost[i];
  }
  // Largest first; equal costs keep manifest order (stable sort).
  std::stable_sort(list.begin(), list.end(),
                   [](const Component& a, const Component& b) { return a.cost > b.cost; });
  std::vector<long long> load(static_cast<size_t>(std::max(total, 1)), 0);
  std::vector<std::vector<size_t>> members(load.size());
  for (const Component& c : list) {
    const size_t shard =
        static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    load[shard] += c.cost;
    members[shard].insert(members[shard].end(), c.members.begin(), c.members.end());
  }
  std::vector<std::vector<std::string>> shards(load.size());
  for (size_t k = 0; k < shards.size(); ++k) {
    std::sort(members[k].begin(), members[k].end());
    for (size_t i : members[k]) shards[k].push_back(m.servers[i].name);
  }
  return shards;
}

std::vector<std::string> ShardServers(const Manifest& m, const ShardSpec& shard) {
  if (!shard.active()) {
    std::vector<std::string> all;
    for (const ServerSpec& s : m.servers) all.push_back(s.name);
    return all;
  }
  return PartitionServers(m, shard.total)[static_cast<size_t>(shard.index - 1)];
}

void RestrictToServers(Desired* desired, const std::set<std::string>& servers) {
  auto outside = [&](const std::string& name) { return !servers.count(name); };
  for (DesiredCertificate& c : desired->certificates) std::erase_if(c.servers, outside);
  std::erase_if(desired->certificates,
                [](const DesiredCertificate& c) { return c.servers.empty(); });
  std::erase_if(desired->servers, [&](const ServerSpec& s) { return outside(s.name); });
}

}  // namespace xcert
