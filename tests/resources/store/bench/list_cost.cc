// The cost of LocalStore::List per certificate (what plan and drift pay to
// read a fleet), single-threaded. Built by run_bench.sh.
//
//   list_cost STORE
#include <chrono>
#include <cstdio>

#include "resources/store/local_store.h"

int main(int argc, char** argv) {
  if (argc < 2) return 1;
  using namespace xcert;
  const auto t0 = std::chrono::steady_clock::now();
  auto servers = store::LocalStore::ListServers(argv[1]);
  if (!servers.ok()) return 1;
  store::LocalStoreSet set(argv[1]);
  size_t certs = 0, problems = 0;
  for (const std::string& s : *servers) {
    auto state = set.Find(s)->List();
    if (!state.ok()) return 1;
    certs += state->certificates.size();
    problems += state->problems.size();
  }
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "List: %zu servers, %zu certificates, %zu problems in %.0f ms (%.1f us/cert, 1 thread)\n",
      servers->size(), certs, problems, ms, 1000.0 * ms / double(certs));
  return problems == 0 ? 0 : 1;
}
