#include "engine/util/parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace xcert {

void ParallelFor(size_t n, int parallelism, const std::function<void(size_t)>& fn) {
  size_t threads = parallelism > 0 ? size_t(parallelism) : std::thread::hardware_concurrency();
  threads = std::clamp<size_t>(threads, 1, std::max<size_t>(n, 1));
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < n; i = next++) fn(i);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
}

}  // namespace xcert
