#include "engine/cli/shard_flag.h"

#include <cstdlib>

namespace xcert::cli {

void AddShardOption(CLI::App* cmd, std::string* flag) {
  cmd->add_option("--shard", *flag,
                  "Only the K-th of N shards of the servers, e.g. 2/4 (default: from "
                  "CI_NODE_INDEX/CI_NODE_TOTAL, or JOB_COMPLETION_INDEX with XCERT_SHARD_TOTAL)");
}

std::optional<ShardSpec> ResolveShard(const std::string& flag, bool servers_named, Output& out) {
  Result<ShardSpec> shard = ShardSpec{};
  if (!flag.empty()) {
    shard = ParseShard(flag);
  } else if (!servers_named) {
    shard = ShardFromEnvironment([](const char* name) -> std::optional<std::string> {
      const char* value = std::getenv(name);
      return value && *value ? std::optional<std::string>(value) : std::nullopt;
    });
  }
  if (!shard.ok()) {
    out.Error(shard.status().message());
    return std::nullopt;
  }
  if (!flag.empty() && servers_named) {
    out.Error("--shard and --server both choose servers; pass one of them");
    return std::nullopt;
  }
  return *shard;
}

void SayShard(const ShardSpec& shard, size_t covered, size_t total, Output& out) {
  if (covered == 0) {
    out.Progress("shard " + shard.ToString() + ": no servers (the " + std::to_string(total) +
                 " servers form fewer groups that share certificates than there are shards); "
                 "nothing to do");
    return;
  }
  out.Progress("shard " + shard.ToString() + ": " + std::to_string(covered) + " of " +
               std::to_string(total) + (total == 1 ? " server" : " servers"));
}

}  // namespace xcert::cli
