#include "client/work_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

namespace kite::client {
namespace {

using namespace std::chrono_literals;

// Polls `cond` until it holds or `timeout` passes.
bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds timeout = 5s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

TEST(WorkQueueTest, DeduplicatesQueuedKeys) {
  WorkQueue q;
  q.add("ns/a");
  q.add("ns/b");
  q.add("ns/a");
  EXPECT_EQ(q.length(), 2u);
  EXPECT_EQ(q.get(), "ns/a");
  EXPECT_EQ(q.get(), "ns/b");
  EXPECT_EQ(q.length(), 0u);
}

TEST(WorkQueueTest, KeyAddedWhileProcessingIsHandedOutAgainAfterDone) {
  WorkQueue q;
  q.add("a");
  ASSERT_EQ(q.get(), "a");
  q.add("a");
  q.add("a");
  // Not handed to a second worker while the first one holds it.
  EXPECT_EQ(q.length(), 0u);
  q.done("a");
  EXPECT_EQ(q.length(), 1u);
  EXPECT_EQ(q.get(), "a");
  q.done("a");
  EXPECT_EQ(q.length(), 0u);
}

TEST(WorkQueueTest, DoneWithoutReAddDropsTheKey) {
  WorkQueue q;
  q.add("a");
  ASSERT_EQ(q.get(), "a");
  q.done("a");
  q.add("b");
  EXPECT_EQ(q.get(), "b");
  EXPECT_EQ(q.length(), 0u);
}

TEST(WorkQueueTest, AddAfterDeliversInDueOrder) {
  WorkQueue q;
  q.add_after("c", 150ms);
  q.add_after("b", 100ms);
  q.add_after("a", 50ms);
  EXPECT_EQ(q.length(), 0u);
  EXPECT_EQ(q.get(), "a");
  EXPECT_EQ(q.get(), "b");
  EXPECT_EQ(q.get(), "c");
}

TEST(WorkQueueTest, AddAfterKeepsTheEarliestTime) {
  WorkQueue q;
  auto start = std::chrono::steady_clock::now();
  q.add_after("a", 60s);
  q.add_after("a", 20ms);
  EXPECT_EQ(q.get(), "a");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
}

TEST(WorkQueueTest, DelayedAddOfQueuedKeyIsDeduplicated) {
  WorkQueue q;
  q.add("a");
  q.add_after("a", 10ms);
  q.add_after("b", 30ms);
  // "b" arriving proves the timer has fired for "a" too.
  ASSERT_TRUE(wait_until([&] { return q.length() == 2; }));
  EXPECT_EQ(q.get(), "a");
  EXPECT_EQ(q.get(), "b");
  EXPECT_EQ(q.length(), 0u);
}

TEST(WorkQueueTest, RateLimitedBackoffGrowsAndForgetResets) {
  WorkQueue q({.base_delay = 20ms, .max_delay = 10s});
  // Failures 1..4 wait 20, 40, 80, 160 ms.
  std::chrono::milliseconds expected[] = {20ms, 40ms, 80ms, 160ms};
  for (int i = 0; i < 4; ++i) {
    auto start = std::chrono::steady_clock::now();
    q.add_rate_limited("k");
    EXPECT_EQ(q.num_requeues("k"), i + 1);
    EXPECT_EQ(q.length(), 0u);
    ASSERT_EQ(q.get(), "k");
    EXPECT_GE(std::chrono::steady_clock::now() - start, expected[i]) << "failure " << i + 1;
    q.done("k");
  }
  q.forget("k");
  EXPECT_EQ(q.num_requeues("k"), 0);
  // After forget the next failure waits the base delay again, not 320 ms.
  auto start = std::chrono::steady_clock::now();
  q.add_rate_limited("k");
  ASSERT_EQ(q.get(), "k");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 300ms);
}

TEST(WorkQueueTest, RateLimitedBackoffIsCapped) {
  WorkQueue q({.base_delay = 10ms, .max_delay = 40ms});
  for (int i = 0; i < 30; ++i) q.add_rate_limited("k");  // 10 * 2^29 ms without the cap
  EXPECT_EQ(q.num_requeues("k"), 30);
  auto start = std::chrono::steady_clock::now();
  q.add_rate_limited("k");
  ASSERT_EQ(q.get(), "k");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(WorkQueueTest, FailuresAreCountedPerKey) {
  WorkQueue q({.base_delay = 1ms, .max_delay = 10ms});
  q.add_rate_limited("a");
  q.add_rate_limited("a");
  q.add_rate_limited("b");
  EXPECT_EQ(q.num_requeues("a"), 2);
  EXPECT_EQ(q.num_requeues("b"), 1);
  q.forget("a");
  EXPECT_EQ(q.num_requeues("a"), 0);
  EXPECT_EQ(q.num_requeues("b"), 1);
}

TEST(WorkQueueTest, ShutDownWakesBlockedGetAndIgnoresLaterAdds) {
  WorkQueue q;
  std::atomic<bool> returned{false};
  std::optional<std::string> got = "unset";
  std::thread worker([&] {
    got = q.get();
    returned = true;
  });
  q.shut_down();
  worker.join();
  EXPECT_TRUE(returned);
  EXPECT_EQ(got, std::nullopt);
  EXPECT_TRUE(q.shutting_down());
  q.add("a");
  EXPECT_EQ(q.length(), 0u);
  EXPECT_EQ(q.get(), std::nullopt);
}

TEST(WorkQueueTest, ConcurrentWorkersNeverShareAKey) {
  WorkQueue q;
  std::atomic<int> in_flight{0}, overlaps{0}, processed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      while (auto key = q.get()) {
        if (in_flight.fetch_add(1) != 0) overlaps++;
        std::this_thread::sleep_for(100us);
        in_flight.fetch_sub(1);
        processed++;
        q.done(*key);
      }
    });
  }
  for (int i = 0; i < 500; ++i) q.add("same");
  ASSERT_TRUE(wait_until([&] { return q.length() == 0 && processed > 0; }));
  q.shut_down();
  for (auto& t : workers) t.join();
  EXPECT_EQ(overlaps, 0);
}

}  // namespace
}  // namespace kite::client
