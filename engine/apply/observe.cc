#include "engine/apply/observe.h"

#include <algorithm>
#include <atomic>
#include <thread>

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
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < servers.size(); i = next++)
      states[i] = ObserveOne(stores, servers[i]);
  };
  const int threads =
      std::clamp(parallelism > 0 ? parallelism : int(std::thread::hardware_concurrency()), 1,
                 std::max(1, int(servers.size())));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  ActualState out;
  for (ServerState& s : states) {
    const std::string name = s.server;
    out.emplace(name, std::move(s));
  }
  return out;
}

}  // namespace xcert
