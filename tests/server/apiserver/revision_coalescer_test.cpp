#include "server/apiserver/revision_coalescer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace kite::apiserver {
namespace {

TEST(RevisionCoalescerTest, EveryAnswerComesFromAFetchThatStartedAfterTheCaller) {
  std::atomic<int64_t> store_revision{0};
  std::atomic<int> fetches{0};
  RevisionCoalescer c([&]() -> base::Result<int64_t> {
    ++fetches;
    int64_t r = store_revision.load();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // a slow round trip
    return r;
  });
  std::vector<std::thread> threads;
  std::atomic<int> stale{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        int64_t written = ++store_revision;  // a write that finished before the read
        auto r = c.latest();
        ASSERT_TRUE(r);
        if (*r < written) ++stale;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(stale.load(), 0);
  EXPECT_LT(fetches.load(), 400);  // concurrent callers shared round trips
}

TEST(RevisionCoalescerTest, ErrorsReachTheCallersOfThatFetch) {
  RevisionCoalescer c([]() -> base::Result<int64_t> {
    return base::error(base::Reason::ServiceUnavailable, "etcd down");
  });
  auto r = c.latest();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason(), base::Reason::ServiceUnavailable);
}

}  // namespace
}  // namespace kite::apiserver
