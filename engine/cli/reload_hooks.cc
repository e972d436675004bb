#include "engine/cli/reload_hooks.h"

#include <cstdio>

#include "engine/util/strings.h"
#include "resources/exchange/process.h"

namespace xcert::cli {

namespace {

// The last `limit` bytes of the hook's output, on one line.
std::string Tail(const std::string& out, const std::string& err, size_t limit = 500) {
  std::string text = std::string(Trim(out + (out.empty() || err.empty() ? "" : "\n") + err));
  if (text.size() > limit) text = "…" + text.substr(text.size() - limit);
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

bool Changed(const ServerSpec& server, const ActualState& before, StoreSet& stores) {
  Store* store = stores.Find(server.name);
  if (!store) return false;
  Result<ServerState> now = store->List();
  if (!now.ok()) return true;
  auto it = before.find(server.name);
  return it == before.end() || it->second.bindings != now->bindings;
}

HookRun Run(const ServerSpec& server, std::chrono::seconds timeout) {
  HookRun run{server.name, server.reload_hook, false, ""};
  exchange::ProcessOptions options;
  options.timeout = Seconds(timeout.count());
  options.max_output = size_t{1} << 20;
  Result<exchange::ProcessResult> r = exchange::RunProcess(server.reload_hook, "", options);
  if (!r.ok()) {
    run.detail = r.status().message();
    return run;
  }
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, " (%.2fs)", r->seconds);
  if (r->timed_out) {
    run.detail = "did not finish within " + std::to_string(timeout.count()) + " seconds" + seconds;
  } else if (r->signal != 0) {
    run.detail = "killed by signal " + std::to_string(r->signal) + seconds;
  } else {
    run.ok = r->exit_code == 0;
    run.detail = "exit " + std::to_string(r->exit_code) + seconds;
  }
  if (!run.ok) {
    const std::string tail = Tail(r->out, r->err);
    if (!tail.empty()) run.detail += ": " + tail;
  }
  return run;
}

}  // namespace

std::vector<HookRun> RunReloadHooks(const Manifest& manifest, const ActualState& before,
                                    StoreSet& stores, const std::set<std::string>& only,
                                    std::chrono::seconds timeout) {
  std::vector<HookRun> runs;
  for (const ServerSpec& server : manifest.servers) {
    if (!only.empty() && !only.count(server.name)) continue;
    if (server.reload_hook.empty() || !Changed(server, before, stores)) continue;
    runs.push_back(Run(server, timeout));
  }
  return runs;
}

}  // namespace xcert::cli
