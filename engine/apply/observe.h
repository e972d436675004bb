// Reading the actual state: Store::List on every server, in parallel. A
// server whose store cannot be listed at all is still in the result, with the
// error as its only problem, so diff blocks it and reports why.
#pragma once

#include <string>
#include <vector>

#include "engine/apply/executor.h"
#include "engine/model/server_state.h"

namespace xcert {

ActualState Observe(StoreSet& stores, const std::vector<std::string>& servers, int parallelism);

}  // namespace xcert
