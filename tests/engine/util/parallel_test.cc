#include "engine/util/parallel.h"

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace xcert {
namespace {

TEST(ParallelForTest, CallsEveryIndexExactlyOnce) {
  for (int parallelism : {0, 1, 3, 64}) {
    std::vector<std::atomic<int>> calls(1000);
    ParallelFor(calls.size(), parallelism, [&](size_t i) { ++calls[i]; });
    for (size_t i = 0; i < calls.size(); ++i) ASSERT_EQ(calls[i], 1) << i << " " << parallelism;
  }
}

TEST(ParallelForTest, NothingToDoCallsNothing) {
  bool called = false;
  ParallelFor(0, 4, [&](size_t) { called = true; });
  EXPECT_FALSE(called);
}

TEST(ParallelForTest, UsesSeveralThreadsButNoMoreThanAsked) {
  std::mutex mu;
  std::set<std::thread::id> seen;
  std::atomic<int> running{0}, most{0};
  ParallelFor(64, 3, [&](size_t) {
    const int now = ++running;
    int m = most.load();
    while (now > m && !most.compare_exchange_weak(m, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    {
      std::lock_guard<std::mutex> lock(mu);
      seen.insert(std::this_thread::get_id());
    }
    --running;
  });
  EXPECT_LE(most.load(), 3);
  EXPECT_GE(seen.size(), 2u) << "work items sleep: a second thread must have taken some";
  EXPECT_TRUE(seen.count(std::this_thread::get_id())) << "the caller works too";
}

}  // namespace
}  // namespace xcert
