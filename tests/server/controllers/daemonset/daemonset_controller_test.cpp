#include "server/controllers/daemonset/daemonset_controller.h"

#include <gtest/gtest.h>

#include <set>

#include "server/controllers/daemonset/daemon_pods.h"
#include "tests/server/controllers/history/workload_fixture.h"

namespace kite::controllers {
namespace {

using testing::eventually;
using testing::FakeKubelet;
using testing::SetControllerEnv;
namespace res = client::resources;
using json = nlohmann::json;

json node(const std::string& name, bool chunkserver, json taints = json::array()) {
  json labels = {{"kubernetes.io/hostname", name}};
  if (chunkserver) labels["role"] = "chunkserver";
  return json{{"apiVersion", "v1"},
              {"kind", "Node"},
              {"metadata", {{"name", name}, {"labels", labels}}},
              {"spec", {{"taints", taints}}}};
}

json chunkserver_ds(json rolling = {{"maxUnavailable", 1}, {"maxSurge", 0}}) {
  return json{{"apiVersion", "apps/v1"},
              {"kind", "DaemonSet"},
              {"metadata", {{"name", "chunkserver"}, {"namespace", "default"}}},
              {"spec",
               {{"selector", {{"matchLabels", {{"app", "chunkserver"}}}}},
                {"updateStrategy", {{"type", "RollingUpdate"}, {"rollingUpdate", rolling}}},
                {"template",
                 {{"metadata", {{"labels", {{"app", "chunkserver"}}}}},
                  {"spec",
                   {{"nodeSelector", {{"role", "chunkserver"}}},
                    {"containers", json::array({{{"name", "cs"}, {"image", "chunkserver:1"}}})}}}}}}}};
}

class DaemonSetTest : public ::testing::Test {
 protected:
  void start() { env.start(make_daemonset_controller); }
  // Target node -> pod names of the DaemonSet's live pods.
  std::map<std::string, std::vector<std::string>> pods_by_node() {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& p : env.pods()) {
      if (p["metadata"].contains("deletionTimestamp")) continue;
      out[daemonset::target_node_name(p)].push_back(p["metadata"]["name"]);
    }
    return out;
  }
  std::set<std::string> covered_nodes() {
    std::set<std::string> out;
    for (const auto& [n, pods] : pods_by_node()) {
      if (!pods.empty()) out.insert(n);
    }
    return out;
  }
  bool exactly_one_pod_on(const std::set<std::string>& nodes) {
    auto by_node = pods_by_node();
    if (by_node.size() != nodes.size()) return false;
    for (const auto& [n, pods] : by_node) {
      if (!nodes.contains(n) || pods.size() != 1) return false;
    }
    return true;
  }
  void create(const client::ResourceRef& r, const json& obj) { ASSERT_TRUE(env.fake.create(r, "default", obj).has_value()); }
  json status() {
    auto s = env.get(res::kDaemonSets, "default", "chunkserver");
    return s && s->contains("status") && (*s)["status"].is_object() ? (*s)["status"] : json::object();
  }
  void set_node_labels(const std::string& name, const json& labels) {
    env.merge_patch(res::kNodes, "", name, json{{"metadata", {{"labels", labels}}}});
  }
  SetControllerEnv env;
};

TEST_F(DaemonSetTest, RunsOnePodOnEachLabelledNode) {
  for (auto [n, cs] : {std::pair{"n1", true}, {"n2", false}, {"n3", true}, {"n4", false}})
    env.fake.seed(res::kNodes, node(n, cs));
  create(res::kDaemonSets, chunkserver_ds());
  FakeKubelet kubelet(env.fake);
  start();
  ASSERT_TRUE(eventually([&] { return exactly_one_pod_on({"n1", "n3"}); }));
  for (const auto& p : env.pods()) {
    EXPECT_FALSE(p["spec"].contains("nodeName")) << "daemon pods are bound by the scheduler";
    EXPECT_EQ(p["metadata"]["ownerReferences"][0]["kind"], "DaemonSet");
    EXPECT_FALSE(p["metadata"]["labels"].value("controller-revision-hash", "").empty());
  }
  ASSERT_TRUE(eventually([&] {
    json s = status();
    return s.value("desiredNumberScheduled", -1) == 2 && s.value("currentNumberScheduled", -1) == 2 &&
           s.value("numberReady", -1) == 2 && s.value("numberAvailable", -1) == 2 &&
           s.value("updatedNumberScheduled", -1) == 2 && s.value("numberUnavailable", -1) == 0 &&
           s.value("numberMisscheduled", -1) == 0 && s.value("observedGeneration", -1) == 1;
  }));
  // The revision the pods carry exists and is owned by the DaemonSet.
  auto revs = env.fake.objects(res::kControllerRevisions);
  ASSERT_EQ(revs.size(), 1u);
  EXPECT_EQ(revs[0]["metadata"]["name"],
            "chunkserver-" + revs[0]["metadata"]["labels"]["controller-revision-hash"].get<std::string>());
  EXPECT_EQ(revs[0]["revision"], 1);
}

TEST_F(DaemonSetTest, FollowsNodeLabelChanges) {
  for (auto [n, cs] : {std::pair{"n1", true}, {"n2", true}, {"n3", false}}) env.fake.seed(res::kNodes, node(n, cs));
  create(res::kDaemonSets, chunkserver_ds());
  start();
  ASSERT_TRUE(eventually([&] { return exactly_one_pod_on({"n1", "n2"}); }));

  set_node_labels("n1", json{{"role", nullptr}});
  set_node_labels("n3", json{{"role", "chunkserver"}});
  ASSERT_TRUE(eventually([&] { return exactly_one_pod_on({"n2", "n3"}); }));

  // A new labelled node gets a pod too, and a deleted node's unscheduled pod goes.
  env.fake.seed(res::kNodes, node("n4", true));
  ASSERT_TRUE(eventually([&] { return exactly_one_pod_on({"n2", "n3", "n4"}); }));
  ASSERT_TRUE(env.fake.remove(res::kNodes, "", "n2").has_value());
  ASSERT_TRUE(eventually([&] { return exactly_one_pod_on({"n3", "n4"}); }));
}

TEST_F(DaemonSetTest, TaintsKeepPodsOffUnlessTolerated) {
  json noschedule = json::array({{{"key", "dedicated"}, {"value", "db"}, {"effect", "NoSchedule"}}});
  env.fake.seed(res::kNodes, node("plain", true));
  env.fake.seed(res::kNodes, node("tainted", true, noschedule));
  env.fake.seed(res::kNodes, node("cordoned", true,
                                  json::array({{{"key", "node.kubernetes.io/unschedulable"}, {"effect", "NoSchedule"}}})));
  create(res::kDaemonSets, chunkserver_ds());
  start();
  ASSERT_TRUE(eventually([&] { return exactly_one_pod_on({"plain", "cordoned"}); }));

  // A NoExecute taint evicts the daemon pod from its node.
  env.merge_patch(res::kNodes, "", "plain",
                  json{{"spec", {{"taints", json::array({{{"key", "maintenance"}, {"effect", "NoExecute"}}})}}}});
  ASSERT_TRUE(eventually([&] { return exactly_one_pod_on({"cordoned"}); }));

  // Tolerating the dedicated taint puts a pod there.
  env.merge_patch(res::kDaemonSets, "default", "chunkserver",
                  json{{"spec", {{"template", {{"spec", {{"tolerations", json::array({{{"key", "dedicated"},
                                                                                       {"operator", "Exists"}}})}}}}}}}});
  ASSERT_TRUE(eventually([&] { return covered_nodes() == std::set<std::string>{"cordoned", "tainted"}; }));
}

TEST_F(DaemonSetTest, RollingUpdateReplacesPodsWithinMaxUnavailable) {
  for (const char* n : {"n1", "n2", "n3", "n4"}) env.fake.seed(res::kNodes, node(n, true));
  create(res::kDaemonSets, chunkserver_ds({{"maxUnavailable", 2}, {"maxSurge", 0}}));
  FakeKubelet kubelet(env.fake);
  start();
  ASSERT_TRUE(eventually([&] { return status().value("numberAvailable", 0) == 4; }));

  // New pods stay unready: exactly maxUnavailable (2) old pods are replaced, no more.
  kubelet.enabled = false;
  env.merge_patch(res::kDaemonSets, "default", "chunkserver",
                  json{{"spec", {{"template", {{"spec", {{"containers", json::array({{{"name", "cs"},
                                                                                      {"image", "chunkserver:2"}}})}}}}}}}});
  auto count_images = [&](const std::string& image) {
    int n = 0;
    for (const auto& p : env.pods())
      if (!p["metadata"].contains("deletionTimestamp") && p["spec"]["containers"][0]["image"] == image) ++n;
    return n;
  };
  ASSERT_TRUE(eventually([&] { return count_images("chunkserver:2") == 2 && count_images("chunkserver:1") == 2; }));
  ASSERT_TRUE(eventually([&] {
    json s = status();
    return s.value("observedGeneration", 0) == 2 && s.value("updatedNumberScheduled", 0) == 2 &&
           s.value("numberAvailable", 0) == 2 && s.value("numberUnavailable", 0) == 2;
  }));
  EXPECT_EQ(count_images("chunkserver:1"), 2);

  // Once new pods are ready the rollout finishes.
  for (const auto& p : env.pods()) {
    if (p["spec"]["containers"][0]["image"] == "chunkserver:2") env.make_ready("default", p["metadata"]["name"]);
  }
  kubelet.enabled = true;
  ASSERT_TRUE(eventually([&] {
    json s = status();
    return s.value("updatedNumberScheduled", 0) == 4 && s.value("numberAvailable", 0) == 4;
  }));
  EXPECT_EQ(count_images("chunkserver:2"), 4);
  EXPECT_EQ(env.fake.objects(res::kControllerRevisions).size(), 2u);
}

TEST_F(DaemonSetTest, OnDeleteKeepsOldPodsUntilDeleted) {
  for (const char* n : {"n1", "n2"}) env.fake.seed(res::kNodes, node(n, true));
  json ds = chunkserver_ds();
  ds["spec"]["updateStrategy"] = {{"type", "OnDelete"}};
  create(res::kDaemonSets, ds);
  FakeKubelet kubelet(env.fake);
  start();
  ASSERT_TRUE(eventually([&] { return status().value("numberReady", 0) == 2; }));
  env.merge_patch(res::kDaemonSets, "default", "chunkserver",
                  json{{"spec", {{"template", {{"spec", {{"containers", json::array({{{"name", "cs"},
                                                                                      {"image", "chunkserver:2"}}})}}}}}}}});
  ASSERT_TRUE(eventually([&] {
    json s = status();
    return s.value("observedGeneration", 0) == 2 && s.value("updatedNumberScheduled", -1) == 0;
  }));
  std::string victim = env.pods()[0]["metadata"]["name"];
  ASSERT_TRUE(env.fake.remove(res::kPods, "default", victim).has_value());
  ASSERT_TRUE(eventually([&] { return status().value("updatedNumberScheduled", 0) == 1 && covered_nodes().size() == 2; }));
}

}  // namespace
}  // namespace kite::controllers
