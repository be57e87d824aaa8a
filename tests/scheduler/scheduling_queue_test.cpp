#include "scheduler/scheduling_queue.h"

#include <gtest/gtest.h>

#include "tests/scheduler/test_objects.h"

namespace kite::scheduler {
namespace {

using namespace testing;
using namespace std::chrono_literals;

PodInfoPtr pod(const std::string& name, int priority = 0) {
  json p = make_pod(name);
  p["spec"]["priority"] = priority;
  return parse_pod(p);
}

TEST(SchedulingQueueTest, PopsByPriorityThenArrival) {
  base::ManualClock clock;
  SchedulingQueue q(clock);
  q.add(pod("low1"));
  q.add(pod("high", 100));
  q.add(pod("low2"));
  EXPECT_EQ(q.pop()->pod->name, "high");
  EXPECT_EQ(q.pop()->pod->name, "low1");
  EXPECT_EQ(q.pop()->pod->name, "low2");
}

TEST(SchedulingQueueTest, UnschedulablePodWaitsForARelevantEvent) {
  base::ManualClock clock;
  SchedulingQueue q(clock);
  q.add(pod("p"));
  auto qp = q.pop();
  q.add_unschedulable(*qp, {"NodeResourcesFit"});
  EXPECT_EQ(q.unschedulable_size(), 1u);
  q.move_for_event({"InterPodAffinity"});  // irrelevant
  EXPECT_EQ(q.unschedulable_size(), 1u);
  clock.advance(2s);  // past the 1 s backoff of the first attempt
  q.move_for_event({"NodeResourcesFit"});
  EXPECT_EQ(q.active_size(), 1u);
  EXPECT_EQ(q.pop()->attempts, 2);
}

TEST(SchedulingQueueTest, MovedPodStillBackingOffGoesToBackoffFirst) {
  base::ManualClock clock;
  SchedulingQueue q(clock);
  q.add(pod("p"));
  q.add_unschedulable(*q.pop(), {"NodeAffinity"});
  q.move_all();
  EXPECT_EQ(q.active_size(), 0u);
  EXPECT_EQ(q.backoff_size(), 1u);
  q.flush();
  EXPECT_EQ(q.backoff_size(), 1u);
  clock.advance(1001ms);
  q.flush();
  EXPECT_EQ(q.active_size(), 1u);
}

TEST(SchedulingQueueTest, BackoffDoublesUpToTenSeconds) {
  base::ManualClock clock;
  SchedulingQueue q(clock);
  q.add(pod("p"));
  for (int attempt = 1; attempt <= 6; ++attempt) {
    q.add_backoff(*q.pop());
    auto expected = std::min(1000ms * (1 << (attempt - 1)), std::chrono::milliseconds(10000));
    clock.advance(expected - 1ms);
    q.flush();
    EXPECT_EQ(q.active_size(), 0u) << "attempt " << attempt;
    clock.advance(1ms);
    q.flush();
    EXPECT_EQ(q.active_size(), 1u) << "attempt " << attempt;
  }
}

TEST(SchedulingQueueTest, UnschedulablePodsAreRetriedAfterSixtySeconds) {
  base::ManualClock clock;
  SchedulingQueue q(clock);
  q.add(pod("p"));
  q.add_unschedulable(*q.pop(), {"NodeAffinity"});
  clock.advance(59s);
  q.flush();
  EXPECT_EQ(q.active_size(), 0u);
  clock.advance(1s);
  q.flush();
  EXPECT_EQ(q.active_size(), 1u);
}

TEST(SchedulingQueueTest, EventDuringAttemptIsNotLost) {
  base::ManualClock clock;
  SchedulingQueue q(clock);
  q.add(pod("p"));
  auto qp = q.pop();
  q.move_all();  // e.g. a node was added while the pod was being scheduled
  q.add_unschedulable(*qp, {"NodeResourcesFit"});
  EXPECT_EQ(q.unschedulable_size(), 0u);
  EXPECT_EQ(q.backoff_size(), 1u);
}

TEST(SchedulingQueueTest, SpecUpdateMovesUnschedulablePodStatusUpdateDoesNot) {
  base::ManualClock clock;
  SchedulingQueue q(clock);
  json p = make_pod("p");
  q.add(parse_pod(p));
  q.add_unschedulable(*q.pop(), {"TaintToleration"});
  clock.advance(5s);
  json status_only = p;
  status_only["status"]["conditions"] = {{{"type", "PodScheduled"}, {"status", "False"}}};
  q.update(parse_pod(status_only));
  EXPECT_EQ(q.unschedulable_size(), 1u);
  json tolerating = status_only;
  tolerating["spec"]["tolerations"] = {{{"operator", "Exists"}}};
  q.update(parse_pod(tolerating));
  EXPECT_EQ(q.active_size(), 1u);
  EXPECT_FALSE(q.pop()->pod->tolerations.empty());
}

TEST(SchedulingQueueTest, GatedPodsWaitForGatesToGo) {
  base::ManualClock clock;
  SchedulingQueue q(clock);
  json p = make_pod("p");
  p["spec"]["schedulingGates"] = {{{"name", "example.com/wait"}}};
  q.add(parse_pod(p));
  q.move_all();
  q.flush();
  EXPECT_EQ(q.active_size(), 0u);
  p["spec"].erase("schedulingGates");
  q.update(parse_pod(p));
  EXPECT_EQ(q.active_size(), 1u);
}

TEST(SchedulingQueueTest, RemoveAndClose) {
  base::ManualClock clock;
  SchedulingQueue q(clock);
  q.add(pod("a"));
  q.remove("default/a");
  EXPECT_FALSE(q.contains("default/a"));
  q.close();
  EXPECT_FALSE(q.pop());
}

}  // namespace
}  // namespace kite::scheduler
