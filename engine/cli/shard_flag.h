// --shard K/N, shared by plan, apply, drift and verify (docs/shards.md).
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "engine/cli/output.h"
#include "engine/plan/shard.h"

namespace xcert::cli {

// Adds --shard to `cmd`, stored as text in `flag`.
void AddShardOption(CLI::App* cmd, std::string* flag);

// The shard the command runs as: `flag` when given, otherwise the CI engine's
// variables (ShardFromEnvironment) unless the command was told --server,
// which names the servers itself. nullopt after reporting the error.
std::optional<ShardSpec> ResolveShard(const std::string& flag, bool servers_named, Output& out);

// Says on stderr which part of the fleet an active shard covers: "shard 2/4:
// 3 of 12 servers" (an empty shard says so: there are fewer groups of servers
// that share certificates than shards).
void SayShard(const ShardSpec& shard, size_t covered, size_t total, Output& out);

}  // namespace xcert::cli
