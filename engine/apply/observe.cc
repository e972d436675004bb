#include "engine/apply/observe.h"

#include "engine/util/parallel.h"

namespace xcert {

namespace {

ServerState ObserveOne(StoreSet& stores, const std::string& server) {
  ServerState failed;
  failed.server = server;
  Store* store = stores.Find(server);
  if (!store) {
    failed.problems.push_back("no store is configured for " + server);
    return failed;
  }
  Result<ServerState> state = store->List();
  if (!state.ok()) {
    failed.problems.push_back(state.status().message());
    return failed;
  }
  state->server = server;
  return std::move(state).value();
}

}  // namespace

ActualState Observe(StoreSet& stores, const std::vector<std::string>& servers, int parallelism) {
  std::vector<ServerState> states(servers.size());
  ParallelFor(servers.size(), parallelism,
              [&](size_t i) { states[i] = ObserveOne(stores, servers[i]); });
  ActualState out;
  for (ServerState& s : states) {
    const std::string name = s.server;
    out.emplace(name, std::move(s));
  }
  return out;
}

}  // namespace xcert
