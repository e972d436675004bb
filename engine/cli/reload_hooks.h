// The reload hooks of apply (docs/manifest.md, "hooks"): after the steps,
// each server whose bindings changed runs its `hooks.reload` command once,
// so that nginx, Postfix, Dovecot (or IIS) load the certificate now bound.
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "engine/apply/executor.h"
#include "engine/model/manifest.h"
#include "engine/model/server_state.h"

namespace xcert::cli {

struct HookRun {
  std::string server;
  std::vector<std::string> command;
  bool ok = false;
  // "exit 0 (0.12s)", or why it failed with the end of its output.
  std::string detail;
};

// Lists each server of `manifest` that has a reload hook and compares its
// bindings with `before` (what the stores held before apply); where they
// differ, runs the hook: argv as written (argv[0] looked up in PATH), no
// shell, stdin empty, in xcert's working directory, within `timeout` (then
// its process group is killed).
// A server whose store cannot be listed now runs its hook too (its bindings
// may have changed). `only`: just these servers (empty: all). Results in
// manifest order.
std::vector<HookRun> RunReloadHooks(const Manifest& manifest, const ActualState& before,
                                    StoreSet& stores, const std::set<std::string>& only = {},
                                    std::chrono::seconds timeout = std::chrono::seconds(300));

}  // namespace xcert::cli
