#include "scheduler/framework.h"

#include <gtest/gtest.h>

#include "scheduler/plugins/plugins.h"
#include "tests/scheduler/test_objects.h"

namespace kite::scheduler {
namespace {

using namespace testing;

Framework default_framework(int percentage = 0) { return Framework(default_plugins({}), percentage, 42); }

TEST(FitErrorTest, MessageMatchesKubeScheduler) {
  FitError e;
  e.num_all_nodes = 5;
  e.reason_counts["node(s) didn't match Pod's node affinity/selector"] = 2;
  e.reason_counts["Insufficient cpu"] = 3;
  EXPECT_EQ(e.message(), "0/5 nodes are available: 2 node(s) didn't match Pod's node affinity/selector, 3 Insufficient cpu.");
  FitError none;
  EXPECT_EQ(none.message(), "no nodes available to schedule pods");
}

TEST(FrameworkTest, FailedSchedulingMessageOverFiveNodes) {
  // 2 nodes lack the label the pod selects, 3 have it but not enough cpu.
  std::vector<NodeInfo> nodes;
  nodes.push_back(node_info(make_node("n1", "4")));
  nodes.push_back(node_info(make_node("n2", "4")));
  for (const char* n : {"n3", "n4", "n5"}) nodes.push_back(node_info(make_node(n, "1", "8Gi", "110", {{"pool", "big"}})));
  auto snap = Snapshot::from(std::move(nodes));
  json pod = make_pod("p", "2");
  pod["spec"]["nodeSelector"] = {{"pool", "big"}};
  auto fw = default_framework();
  auto r = fw.schedule(*parse_pod(pod), snap);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "0/5 nodes are available: 2 node(s) didn't match Pod's node affinity/selector, 3 Insufficient cpu.");
  EXPECT_EQ(r.error().rejecting_plugins, (std::set<std::string>{"NodeAffinity", "NodeResourcesFit"}));
}

TEST(FrameworkTest, CountsSortAsStrings) {
  std::vector<NodeInfo> nodes;
  for (int i = 0; i < 12; ++i) {
    json n = make_node("n" + std::to_string(i), i < 10 ? "1" : "8");
    if (i >= 10) n["spec"]["taints"] = {{{"key", "k"}, {"value", "v"}, {"effect", "NoSchedule"}}};
    nodes.push_back(node_info(n));
  }
  auto snap = Snapshot::from(std::move(nodes));
  auto fw = default_framework();
  auto r = fw.schedule(*parse_pod(make_pod("p", "2")), snap);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "0/12 nodes are available: 10 Insufficient cpu, 2 node(s) had untolerated taint {k: v}.");
}

TEST(FrameworkTest, PicksTheBestScoredFeasibleNode) {
  auto snap = Snapshot::from({node_with_pods(make_node("busy", "4", "8Gi"), {make_pod("a", "3", "6Gi")}),
                              node_info(make_node("idle", "4", "8Gi")),
                              node_info(make_node("small", "500m", "8Gi"))});
  auto fw = default_framework();
  for (int i = 0; i < 5; ++i) {
    auto r = fw.schedule(*parse_pod(make_pod("p", "1", "1Gi")), snap);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->node, "idle");
    EXPECT_EQ(r->feasible_nodes, 2);
  }
}

TEST(FrameworkTest, NoNodes) {
  Snapshot empty;
  auto fw = default_framework();
  auto r = fw.schedule(*parse_pod(make_pod("p")), empty);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "no nodes available to schedule pods");
}

TEST(FrameworkTest, NumFeasibleNodesToFindIsAdaptive) {
  EXPECT_EQ(Framework::num_feasible_nodes_to_find(0, 50), 50);
  EXPECT_EQ(Framework::num_feasible_nodes_to_find(0, 100), 100);   // 49% of 100 < 100
  EXPECT_EQ(Framework::num_feasible_nodes_to_find(0, 1000), 420);  // 42%
  EXPECT_EQ(Framework::num_feasible_nodes_to_find(0, 5000), 500);  // 10%
  EXPECT_EQ(Framework::num_feasible_nodes_to_find(0, 10000), 500); // 5% floor
  EXPECT_EQ(Framework::num_feasible_nodes_to_find(100, 5000), 5000);
  EXPECT_EQ(Framework::num_feasible_nodes_to_find(1, 5000), 100);  // never fewer than 100
}

TEST(FrameworkTest, StopsAfterEnoughFeasibleNodesAndRotates) {
  std::vector<NodeInfo> nodes;
  for (int i = 0; i < 1000; ++i) nodes.push_back(node_info(make_node("n" + std::to_string(i))));
  auto snap = Snapshot::from(std::move(nodes));
  auto fw = default_framework();
  auto r1 = fw.schedule(*parse_pod(make_pod("p", "100m")), snap);
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->evaluated_nodes, 420);
  EXPECT_EQ(r1->feasible_nodes, 420);
  // The next cycle starts where this one stopped, so the whole fleet gets used.
  std::set<std::string> chosen;
  for (int i = 0; i < 10; ++i) chosen.insert(fw.schedule(*parse_pod(make_pod("p", "100m")), snap)->node);
  EXPECT_GE(chosen.size(), 8u);
}

TEST(FrameworkTest, PreFilterOnBadSelectorReportsIt) {
  auto snap = Snapshot::from({node_info(make_node("n1"))});
  json pod = make_pod("p");
  pod["spec"]["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] = {
      {{"labelSelector", {{"matchExpressions", {{{"key", "a"}, {"operator", "Bogus"}}}}}}, {"topologyKey", "x"}}};
  auto fw = default_framework();
  auto r = fw.schedule(*parse_pod(pod), snap);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message().starts_with("0/1 nodes are available: ")) << r.error().message();
}

}  // namespace
}  // namespace kite::scheduler
