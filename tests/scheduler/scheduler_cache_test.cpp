#include "scheduler/scheduler_cache.h"

#include <gtest/gtest.h>

#include "tests/scheduler/test_objects.h"

namespace kite::scheduler {
namespace {

using namespace testing;

PodInfoPtr on_node(json pod, const std::string& node) {
  pod["spec"]["nodeName"] = node;
  return parse_pod(pod);
}

TEST(SchedulerCacheTest, AssumeConfirmForget) {
  SchedulerCache cache;
  cache.upsert_node(make_node("n1", "2"));
  Snapshot snap;
  cache.update_snapshot(snap);
  ASSERT_EQ(snap.nodes.size(), 1u);

  cache.assume_pod(on_node(make_pod("a", "1"), "n1"));
  EXPECT_TRUE(cache.is_assumed("default/a"));
  cache.update_snapshot(snap);
  EXPECT_EQ(snap.get("n1")->requested().milli_cpu, 1000);

  cache.add_pod(on_node(make_pod("a", "1"), "n1"));  // the binding arrived
  EXPECT_FALSE(cache.is_assumed("default/a"));
  cache.update_snapshot(snap);
  EXPECT_EQ(snap.get("n1")->requested().milli_cpu, 1000);
  EXPECT_EQ(snap.get("n1")->pods().size(), 1u);

  cache.assume_pod(on_node(make_pod("b", "500m"), "n1"));
  cache.forget_pod("default/b");
  cache.update_snapshot(snap);
  EXPECT_EQ(snap.get("n1")->requested().milli_cpu, 1000);
  cache.forget_pod("default/a");  // confirmed pods are not forgotten
  EXPECT_TRUE(cache.contains_pod("default/a"));
}

TEST(SchedulerCacheTest, FinishedPodsFreeTheirResources) {
  SchedulerCache cache;
  cache.upsert_node(make_node("n1", "2"));
  cache.add_pod(on_node(make_pod("job", "1"), "n1"));
  json done = make_pod("job", "1");
  done["status"]["phase"] = "Succeeded";
  cache.add_pod(on_node(done, "n1"));
  Snapshot snap;
  cache.update_snapshot(snap);
  EXPECT_EQ(snap.get("n1")->requested().milli_cpu, 0);
}

TEST(SchedulerCacheTest, HeartbeatsDoNotDirtyTheNode) {
  SchedulerCache cache;
  json node = make_node("n1");
  EXPECT_TRUE(cache.upsert_node(node).added);
  Snapshot snap;
  cache.update_snapshot(snap);
  const NodeInfo* before = snap.get("n1");
  node["status"]["conditions"] = {{{"type", "Ready"}, {"status", "True"}, {"lastHeartbeatTime", "now"}}};
  EXPECT_FALSE(cache.upsert_node(node).any());
  cache.update_snapshot(snap);
  EXPECT_EQ(snap.get("n1"), before);
  node["metadata"]["labels"]["disk"] = "ssd";
  NodeChange change = cache.upsert_node(node);
  EXPECT_TRUE(change.labels);
  EXPECT_FALSE(change.taints);
  cache.update_snapshot(snap);
  EXPECT_EQ(snap.get("n1")->labels().at("disk"), "ssd");
}

TEST(SchedulerCacheTest, RemovedNodesLeaveTheSnapshot) {
  SchedulerCache cache;
  for (const char* n : {"a", "b", "c"}) cache.upsert_node(make_node(n));
  cache.add_pod(on_node(make_pod("p"), "a"));
  Snapshot snap;
  cache.update_snapshot(snap);
  EXPECT_EQ(snap.nodes.size(), 3u);
  cache.remove_node("a");
  cache.update_snapshot(snap);
  EXPECT_EQ(snap.nodes.size(), 2u);
  EXPECT_EQ(snap.get("a"), nullptr);
  ASSERT_NE(snap.get("c"), nullptr);
  EXPECT_EQ(snap.get("c")->name(), "c");
  // The node comes back with its pod still accounted.
  cache.upsert_node(make_node("a"));
  cache.update_snapshot(snap);
  EXPECT_EQ(snap.get("a")->pods().size(), 1u);
}

TEST(SchedulerCacheTest, PodsWithAffinityAreListed) {
  SchedulerCache cache;
  cache.upsert_node(make_node("n1"));
  cache.upsert_node(make_node("n2"));
  json p = make_pod("anti");
  p["spec"]["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] = {
      {{"labelSelector", {{"matchLabels", {{"a", "b"}}}}}, {"topologyKey", kHostnameLabel}}};
  cache.add_pod(on_node(p, "n2"));
  Snapshot snap;
  cache.update_snapshot(snap);
  ASSERT_EQ(snap.nodes_with_required_anti_affinity_pods.size(), 1u);
  EXPECT_EQ(snap.nodes_with_required_anti_affinity_pods[0]->name(), "n2");
  cache.remove_pod("default/anti");
  cache.update_snapshot(snap);
  EXPECT_TRUE(snap.nodes_with_required_anti_affinity_pods.empty());
}

}  // namespace
}  // namespace kite::scheduler
