// Runs independent work items on a few threads: reading many servers' stores,
// creating many servers. The items must not depend on each other's order.
#pragma once

#include <cstddef>
#include <functional>

namespace xcert {

// Calls fn(i) once for every i in [0, n), on up to `parallelism` threads
// (0: one per hardware thread; never more threads than items), the calling
// thread among them. Returns when every call has returned. `fn` must be
// safe to call from several threads at once.
void ParallelFor(size_t n, int parallelism, const std::function<void(size_t)>& fn);

}  // namespace xcert
