// The whole scheduler on a FakeClient with real informers: binding, events, conditions,
// schedulerName filtering and requeueing.
#include "scheduler/scheduler.h"

#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "client/fake_client.h"
#include "tests/scheduler/test_objects.h"

namespace kite::scheduler {
namespace {

using namespace testing;
using namespace std::chrono_literals;
using client::resources::kEvents;
using client::resources::kNodes;
using client::resources::kPods;

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 10s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake.seed(kNodes, make_node("n1", "4", "8Gi", "110", {{"zone", "a"}}));
    fake.seed(kNodes, make_node("n2", "4", "8Gi", "110", {{"zone", "a"}}));
    fake.seed(kNodes, make_node("n3", "1", "8Gi", "110", {{"zone", "b"}, {"pool", "big"}}));
    fake.seed(kNodes, make_node("n4", "1", "8Gi", "110", {{"zone", "b"}, {"pool", "big"}}));
    fake.seed(kNodes, make_node("n5", "1", "8Gi", "110", {{"zone", "c"}, {"pool", "big"}}));
  }
  void TearDown() override {
    for (auto& s : schedulers) s->stop();
    schedulers.clear();
    informers.stop_all();
  }

  Scheduler& start_scheduler(std::string name = "default-scheduler") {
    SchedulerOptions o;
    o.scheduler_name = std::move(name);
    o.clock = &clock;
    o.flush_interval = 10ms;
    schedulers.push_back(std::make_unique<Scheduler>(fake, informers, o));
    schedulers.back()->start();
    return *schedulers.back();
  }

  void create_pod(const json& pod) { ASSERT_TRUE(fake.create(kPods, "default", pod)); }

  std::string node_of(const std::string& name) {
    auto p = fake.get(kPods, "default", name);
    if (!p) return "";
    return p->value("spec", json::object()).value("nodeName", "");
  }

  std::vector<json> events_for(const std::string& pod, const std::string& reason) {
    std::vector<json> out;
    for (const auto& e : fake.objects(kEvents))
      if (e["involvedObject"].value("name", "") == pod && e.value("reason", "") == reason) out.push_back(e);
    return out;
  }

  json pod_scheduled_condition(const std::string& name) {
    auto p = fake.get(kPods, "default", name);
    if (!p) return nullptr;
    for (const auto& c : p->value("status", json::object()).value("conditions", json::array()))
      if (c.value("type", "") == "PodScheduled") return c;
    return nullptr;
  }

  base::ManualClock clock;
  client::FakeClient fake;
  client::InformerFactory informers{fake};
  std::vector<std::unique_ptr<Scheduler>> schedulers;
};

TEST_F(SchedulerTest, BindsPodsToAFittingNode) {
  start_scheduler();
  json pod = make_pod("web", "500m", "1Gi");
  pod["spec"]["nodeSelector"] = {{"zone", "c"}};
  create_pod(pod);
  ASSERT_TRUE(eventually([&] { return node_of("web") == "n5"; }));
  ASSERT_TRUE(eventually([&] { return !events_for("web", "Scheduled").empty(); }));
  json e = events_for("web", "Scheduled")[0];
  EXPECT_EQ(e["message"], "Successfully assigned default/web to n5");
  EXPECT_EQ(e["type"], "Normal");
  EXPECT_EQ(e["source"]["component"], "default-scheduler");

  // The binding went through the pods/binding subresource.
  bool bound_via_subresource = false;
  for (const auto& a : fake.actions())
    if (a.verb == "create-binding" && a.name == "web") {
      bound_via_subresource = true;
      EXPECT_EQ(a.object["target"]["name"], "n5");
    }
  EXPECT_TRUE(bound_via_subresource);
}

TEST_F(SchedulerTest, ResourcesAreAccountedAcrossPods) {
  start_scheduler();
  // Each of n3..n5 (1 cpu) takes exactly one 800m pod.
  for (int i = 0; i < 3; ++i) {
    json pod = make_pod("big-" + std::to_string(i), "800m");
    pod["spec"]["nodeSelector"] = {{"pool", "big"}};
    create_pod(pod);
  }
  ASSERT_TRUE(eventually([&] {
    return !node_of("big-0").empty() && !node_of("big-1").empty() && !node_of("big-2").empty();
  }));
  std::set<std::string> used{node_of("big-0"), node_of("big-1"), node_of("big-2")};
  EXPECT_EQ(used, (std::set<std::string>{"n3", "n4", "n5"}));
}

TEST_F(SchedulerTest, FailedSchedulingEventAndCondition) {
  start_scheduler();
  json pod = make_pod("hungry", "2");
  pod["spec"]["nodeSelector"] = {{"pool", "big"}};
  create_pod(pod);
  const std::string want =
      "0/5 nodes are available: 2 node(s) didn't match Pod's node affinity/selector, 3 Insufficient cpu.";
  ASSERT_TRUE(eventually([&] { return !events_for("hungry", "FailedScheduling").empty(); }));
  json e = events_for("hungry", "FailedScheduling")[0];
  EXPECT_EQ(e["message"], want);
  EXPECT_EQ(e["type"], "Warning");
  ASSERT_TRUE(eventually([&] { return pod_scheduled_condition("hungry").is_object(); }));
  json c = pod_scheduled_condition("hungry");
  EXPECT_EQ(c["status"], "False");
  EXPECT_EQ(c["reason"], "Unschedulable");
  EXPECT_EQ(c["message"], want);
  EXPECT_EQ(node_of("hungry"), "");
}

TEST_F(SchedulerTest, OnlySchedulesPodsNamingIt) {
  start_scheduler();
  json other = make_pod("other");
  other["spec"]["schedulerName"] = "my-scheduler";
  create_pod(other);
  create_pod(make_pod("mine"));
  ASSERT_TRUE(eventually([&] { return !node_of("mine").empty(); }));
  // Give the scheduler a chance to (wrongly) act on the other pod.
  ASSERT_TRUE(eventually([&] { return !events_for("mine", "Scheduled").empty(); }));
  EXPECT_EQ(node_of("other"), "");
  EXPECT_TRUE(events_for("other", "FailedScheduling").empty());

  start_scheduler("my-scheduler");
  ASSERT_TRUE(eventually([&] { return !node_of("other").empty(); }));
  ASSERT_TRUE(eventually([&] { return !events_for("other", "Scheduled").empty(); }));
  EXPECT_EQ(events_for("other", "Scheduled")[0]["source"]["component"], "my-scheduler");
}

TEST_F(SchedulerTest, RequeuesWhenANodeBecomesEligible) {
  start_scheduler();
  json pod = make_pod("gpu-job");
  pod["spec"]["nodeSelector"] = {{"gpu", "true"}};
  create_pod(pod);
  ASSERT_TRUE(eventually([&] { return !events_for("gpu-job", "FailedScheduling").empty(); }));
  EXPECT_EQ(events_for("gpu-job", "FailedScheduling")[0]["message"],
            "0/5 nodes are available: 5 node(s) didn't match Pod's node affinity/selector.");
  clock.advance(2s);  // past the first backoff, so the move goes straight to active
  auto node = fake.get(kNodes, "", "n2");
  ASSERT_TRUE(node);
  (*node)["metadata"]["labels"]["gpu"] = "true";
  ASSERT_TRUE(fake.update(kNodes, *node));
  ASSERT_TRUE(eventually([&] { return node_of("gpu-job") == "n2"; }));
}

TEST_F(SchedulerTest, RetriesUnschedulablePodsAfterTheFlushInterval) {
  start_scheduler();
  json pod = make_pod("wait", "3");
  pod["spec"]["nodeSelector"] = {{"pool", "big"}};
  create_pod(pod);
  ASSERT_TRUE(eventually([&] { return !events_for("wait", "FailedScheduling").empty(); }));
  // No cluster event helps it; after 60 s in the unschedulable queue it is tried again.
  auto attempts_before = schedulers[0]->stats().attempts;
  clock.advance(61s);
  ASSERT_TRUE(eventually([&] { return schedulers[0]->stats().attempts > attempts_before; }));
}

TEST_F(SchedulerTest, FreedResourcesRequeue) {
  start_scheduler();
  json first = make_pod("first", "800m");
  first["spec"]["nodeSelector"] = {{"zone", "c"}};
  create_pod(first);
  ASSERT_TRUE(eventually([&] { return node_of("first") == "n5"; }));
  json second = make_pod("second", "800m");
  second["spec"]["nodeSelector"] = {{"zone", "c"}};
  create_pod(second);
  ASSERT_TRUE(eventually([&] { return !events_for("second", "FailedScheduling").empty(); }));
  EXPECT_EQ(events_for("second", "FailedScheduling")[0]["message"],
            "0/5 nodes are available: 1 Insufficient cpu, 4 node(s) didn't match Pod's node affinity/selector.");
  clock.advance(2s);
  client::DeleteOptions now;
  now.grace_period_seconds = 0;  // as the kubelet confirms the deletion
  ASSERT_TRUE(fake.remove(kPods, "default", "first", now));
  ASSERT_TRUE(eventually([&] { return node_of("second") == "n5"; }));
}

TEST_F(SchedulerTest, BindingFailureIsRetried) {
  start_scheduler();
  fake.fail("create-binding", "pods", base::Status(base::Reason::InternalError, "etcd is sad"));
  create_pod(make_pod("retry"));
  ASSERT_TRUE(eventually([&] { return schedulers[0]->stats().binding_errors > 0; }));
  fake.clear_failures();
  clock.advance(2s);
  ASSERT_TRUE(eventually([&] { return !node_of("retry").empty(); }));
}

}  // namespace
}  // namespace kite::scheduler
