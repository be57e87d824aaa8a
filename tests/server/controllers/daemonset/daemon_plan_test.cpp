#include "server/controllers/daemonset/daemon_plan.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "base/ids.h"
#include "server/controllers/daemonset/daemon_pods.h"

namespace kite::controllers::daemonset {
namespace {

using client::ObjectPtr;
const auto kNow = std::chrono::system_clock::now();

ObjectPtr node(const std::string& name, json labels = {{"role", "chunkserver"}}) {
  return std::make_shared<const json>(json{{"metadata", {{"name", name}, {"labels", labels}}}, {"spec", json::object()}});
}

json ds(json rolling = {{"maxUnavailable", 1}, {"maxSurge", 0}}) {
  return json{{"metadata", {{"name", "cs"}, {"namespace", "default"}, {"uid", "ds-uid"}}},
              {"spec",
               {{"selector", {{"matchLabels", {{"app", "cs"}}}}},
                {"updateStrategy", {{"type", "RollingUpdate"}, {"rollingUpdate", rolling}}},
                {"template",
                 {{"metadata", {{"labels", {{"app", "cs"}}}}},
                  {"spec",
                   {{"nodeSelector", {{"role", "chunkserver"}}},
                    {"containers", json::array({{{"name", "c"}, {"image", "i"}}})}}}}}}}};
}

ObjectPtr pod(const json& d, const std::string& name, const std::string& node_name, const std::string& hash,
              bool ready) {
  json p = daemon_pod_for_node(d, hash, node_name);
  p["metadata"]["name"] = name;
  p["metadata"]["creationTimestamp"] = base::rfc3339(kNow - std::chrono::hours(1));
  p["status"] = {{"phase", "Running"}};
  if (ready)
    p["status"]["conditions"] = json::array({{{"type", "Ready"},
                                              {"status", "True"},
                                              {"lastTransitionTime", base::rfc3339(kNow - std::chrono::hours(1))}}});
  return std::make_shared<const json>(p);
}

TEST(DaemonPods, PodIsPlacedByNodeAffinityNotNodeName) {
  json p = daemon_pod_for_node(ds(), "h1", "n1");
  EXPECT_FALSE(p["spec"].contains("nodeName"));
  json term = p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
               ["nodeSelectorTerms"];
  ASSERT_EQ(term.size(), 1u);
  EXPECT_EQ(term[0]["matchFields"][0],
            (json{{"key", "metadata.name"}, {"operator", "In"}, {"values", {"n1"}}}));
  EXPECT_EQ(target_node_name(p), "n1");
  EXPECT_EQ(p["metadata"]["generateName"], "cs-");
  EXPECT_EQ(p["metadata"]["labels"]["controller-revision-hash"], "h1");
  EXPECT_EQ(p["metadata"]["ownerReferences"][0]["kind"], "DaemonSet");
  EXPECT_EQ(p["spec"]["tolerations"].size(), 6u);
}

TEST(DaemonPods, IntOrPercentRoundsUp) {
  EXPECT_EQ(scaled_int_or_percent(json(2), 10), 2);
  EXPECT_EQ(scaled_int_or_percent(json("10%"), 15), 2);
  EXPECT_EQ(scaled_int_or_percent(json("25%"), 4), 1);
  EXPECT_EQ(scaled_int_or_percent(json("0%"), 4), 0);
}

TEST(DaemonPlan, ManageCreatesOnEligibleNodesAndDeletesFromIneligibleOnes) {
  json d = ds();
  std::vector<ObjectPtr> nodes = {node("a"), node("b"), node("c", {{"role", "master"}})};
  NodePods pods;
  pods["b"] = {pod(d, "cs-b", "b", "h", true)};
  pods["c"] = {pod(d, "cs-c", "c", "h", true)};
  pods["gone"] = {pod(d, "cs-gone", "gone", "h", false)};
  FailedPodBackoff backoff;
  auto plan = plan_manage(d, nodes, pods, "h", backoff, kNow);
  EXPECT_EQ(plan.nodes_needing_pods, std::vector<std::string>{"a"});
  std::sort(plan.pods_to_delete.begin(), plan.pods_to_delete.end());
  EXPECT_EQ(plan.pods_to_delete, (std::vector<std::string>{"cs-c", "cs-gone"}));
}

TEST(DaemonPlan, ManageKeepsTheOldestOfDuplicatesAndReplacesFailedPods) {
  json d = ds();
  std::vector<ObjectPtr> nodes = {node("a"), node("b")};
  json newer = *pod(d, "cs-a2", "a", "h", true);
  newer["metadata"]["creationTimestamp"] = base::rfc3339(kNow);
  json failed = *pod(d, "cs-b", "b", "h", false);
  failed["status"]["phase"] = "Failed";
  NodePods pods;
  pods["a"] = {pod(d, "cs-a1", "a", "h", true), std::make_shared<const json>(newer)};
  pods["b"] = {std::make_shared<const json>(failed)};
  FailedPodBackoff backoff;
  auto plan = plan_manage(d, nodes, pods, "h", backoff, kNow);
  std::sort(plan.pods_to_delete.begin(), plan.pods_to_delete.end());
  EXPECT_EQ(plan.pods_to_delete, (std::vector<std::string>{"cs-a2", "cs-b"}));
  EXPECT_EQ(plan.failed_pod_messages.size(), 1u);
  // Right after, the failed pod on b is in backoff.
  auto again = plan_manage(d, nodes, pods, "h", backoff, kNow);
  EXPECT_TRUE(again.requeue_after.has_value());
  EXPECT_EQ(std::count(again.pods_to_delete.begin(), again.pods_to_delete.end(), "cs-b"), 0);
}

TEST(DaemonPlan, RollingUpdateDeletesAtMostMaxUnavailableOldPods) {
  json d = ds({{"maxUnavailable", 2}, {"maxSurge", 0}});
  std::vector<ObjectPtr> nodes = {node("a"), node("b"), node("c"), node("d")};
  NodePods pods;
  for (const char* n : {"a", "b", "c", "d"}) pods[n] = {pod(d, std::string("cs-") + n, n, "old", true)};
  auto plan = plan_rolling_update(d, nodes, pods, "new", kNow);
  EXPECT_EQ(plan.pods_to_delete.size(), 2u);
  EXPECT_TRUE(plan.nodes_to_create.empty());

  // One node already replaced but its new pod is not ready: only one more may go.
  pods["a"] = {pod(d, "cs-a-new", "a", "new", false)};
  plan = plan_rolling_update(d, nodes, pods, "new", kNow);
  EXPECT_EQ(plan.pods_to_delete.size(), 1u);

  // A node with no pod at all counts as unavailable too.
  pods.erase("b");
  plan = plan_rolling_update(d, nodes, pods, "new", kNow);
  EXPECT_TRUE(plan.pods_to_delete.empty());

  // Unavailable old pods are always replaced.
  pods["b"] = {pod(d, "cs-b", "b", "old", false)};
  plan = plan_rolling_update(d, nodes, pods, "new", kNow);
  EXPECT_EQ(plan.pods_to_delete, std::vector<std::string>{"cs-b"});
}

TEST(DaemonPlan, RollingUpdateWithSurgeCreatesBeforeDeleting) {
  json d = ds({{"maxUnavailable", 0}, {"maxSurge", 1}});
  std::vector<ObjectPtr> nodes = {node("a"), node("b")};
  NodePods pods;
  pods["a"] = {pod(d, "cs-a", "a", "old", true)};
  pods["b"] = {pod(d, "cs-b", "b", "old", true)};
  auto plan = plan_rolling_update(d, nodes, pods, "new", kNow);
  EXPECT_EQ(plan.nodes_to_create, std::vector<std::string>{"a"});
  EXPECT_TRUE(plan.pods_to_delete.empty());
  // The new pod on a is available: the old one goes, and b may surge next.
  pods["a"].push_back(pod(d, "cs-a-new", "a", "new", true));
  plan = plan_rolling_update(d, nodes, pods, "new", kNow);
  EXPECT_EQ(plan.pods_to_delete, std::vector<std::string>{"cs-a"});
  EXPECT_EQ(plan.nodes_to_create, std::vector<std::string>{"b"});
}

TEST(DaemonPlan, StatusCounts) {
  json d = ds();
  std::vector<ObjectPtr> nodes = {node("a"), node("b"), node("c"), node("m", {{"role", "master"}})};
  NodePods pods;
  pods["a"] = {pod(d, "cs-a", "a", "new", true)};
  pods["b"] = {pod(d, "cs-b", "b", "old", true)};
  pods["m"] = {pod(d, "cs-m", "m", "new", false)};
  auto c = count_status(d, nodes, pods, "new", kNow);
  EXPECT_EQ(c.desired, 3);
  EXPECT_EQ(c.current, 2);
  EXPECT_EQ(c.misscheduled, 1);
  EXPECT_EQ(c.ready, 2);
  EXPECT_EQ(c.available, 2);
  EXPECT_EQ(c.unavailable, 1);
  EXPECT_EQ(c.updated, 1);

  json slow = d;
  slow["spec"]["minReadySeconds"] = 7200;  // ready for 1 h only: not yet available
  c = count_status(slow, nodes, pods, "new", kNow);
  EXPECT_EQ(c.ready, 2);
  EXPECT_EQ(c.available, 0);
}

}  // namespace
}  // namespace kite::controllers::daemonset
