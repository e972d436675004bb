// Shards: the servers of a manifest split into N parts that N CI jobs plan,
// apply, drift-check or verify independently (docs/shards.md). A shard is a
// set of whole connected components (servers that share a certificate are
// in one shard: the certificate is made on one of them and exported to the
// others), balanced by expected cost, the same for the same manifest.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/model/manifest.h"
#include "engine/plan/desired.h"
#include "engine/util/status.h"

namespace xcert {

struct ShardSpec {
  int index = 0;  // 1..total
  int total = 0;  // 0: not sharded, every server
  bool active() const { return total > 0; }
  std::string ToString() const;  // "2/4"
  bool operator==(const ShardSpec&) const = default;
};

// "K/N" with 1 <= K <= N <= 10000; the error says what a valid one is.
Result<ShardSpec> ParseShard(std::string_view text);

// The shard the CI engine runs this job as, read through `env` (returns
// nullopt for an unset variable): GitLab's CI_NODE_INDEX/CI_NODE_TOTAL
// (`parallel: N`, index from 1), or a Kubernetes Indexed Job's
// JOB_COMPLETION_INDEX (from 0) with XCERT_SHARD_TOTAL. Not sharded when
// none is set; an error names the variable that is wrong.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
Result<ShardSpec> ShardFromEnvironment(const EnvLookup& env);

// What one server is expected to cost a run, in arbitrary units: reading its
// store (one Exchange Management Shell session, the larger part) plus one
// unit per certificate the manifest declares on it.
inline constexpr int kServerReadCost = 4;

// The manifest's servers in `total` shards (manifest order within each).
// Components are placed largest first, each on the least loaded shard (the
// lowest index on ties), so the result depends only on the manifest.
// Shards may be empty when there are fewer components than shards.
std::vector<std::vector<std::string>> PartitionServers(const Manifest& m, int total);

// The servers `shard` covers, in manifest order: every server when it is not
// active.
std::vector<std::string> ShardServers(const Manifest& m, const ShardSpec& shard);

// `desired` with only what concerns `servers`: certificates keep only those
// servers (and go when none is left), and so do the server specs.
void RestrictToServers(Desired* desired, const std::set<std::string>& servers);

}  // namespace xcert
