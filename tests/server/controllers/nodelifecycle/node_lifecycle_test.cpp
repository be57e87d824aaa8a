#include "server/controllers/nodelifecycle/node_lifecycle.h"

#include <gtest/gtest.h>

#include "base/ids.h"
#include "server/controllers/nodelifecycle/taints.h"
#include "tests/server/controllers/garbagecollector/infra_env.h"

namespace kite::controllers::testing {
namespace {

using namespace std::chrono_literals;
using nodelifecycle::NodeLifecycleController;

std::string condition_status_of(const json& node) { return nodelifecycle::condition_status(node, "Ready"); }

class NodeLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override { env.ctx.settings.node_monitor_period = std::chrono::seconds(3600); }

  json seed_node(const std::string& name, const std::string& ready) {
    std::string t = base::rfc3339(env.clock.now());
    json n = {{"apiVersion", "v1"},
              {"kind", "Node"},
              {"metadata", {{"name", name}}},
              {"spec", json::object()},
              {"status",
               {{"conditions",
                 json::array({{{"type", "Ready"}, {"status", ready}, {"reason", "KubeletReady"},
                               {"lastHeartbeatTime", t}, {"lastTransitionTime", t}},
                              {{"type", "MemoryPressure"}, {"status", "False"}, {"lastHeartbeatTime", t},
                               {"lastTransitionTime", t}}})}}}};
    env.fake.seed(res::kLeases, {{"apiVersion", "coordination.k8s.io/v1"},
                                 {"kind", "Lease"},
                                 {"metadata", {{"name", name}, {"namespace", "kube-node-lease"}}},
                                 {"spec", {{"holderIdentity", name}, {"renewTime", base::rfc3339_micro(env.clock.now())}}}});
    return env.fake.seed(res::kNodes, n);
  }
  void renew_lease(const std::string& name) {
    json l = *env.find(res::kLeases, "kube-node-lease", name);
    l["spec"]["renewTime"] = base::rfc3339_micro(env.clock.now());
    ASSERT_TRUE(env.fake.update(res::kLeases, l).has_value());
    ASSERT_TRUE(InfraEnv::eventually([&] {
      auto cached = env.informers.informer(res::kLeases).get("kube-node-lease/" + name);
      return cached && (*cached)["spec"]["renewTime"] == l["spec"]["renewTime"];
    }));
  }
  json seed_pod(const std::string& name, const std::string& node_name, json tolerations = json::array()) {
    return env.fake.seed(res::kPods,
                         {{"apiVersion", "v1"},
                          {"kind", "Pod"},
                          {"metadata", {{"name", name}, {"namespace", "default"}}},
                          {"spec",
                           {{"nodeName", node_name},
                            {"tolerations", tolerations},
                            {"containers", json::array({{{"name", "c"}, {"image", "busybox"}}})}}},
                          {"status",
                           {{"phase", "Running"},
                            {"conditions", json::array({{{"type", "Ready"}, {"status", "True"}}})}}}});
  }
  NodeLifecycleController* start() {
    return env.start(std::make_unique<NodeLifecycleController>(env.ctx));
  }
  json node(const std::string& name) { return *env.find(res::kNodes, "", name); }
  bool has_taint(const std::string& name, const std::string& key, const std::string& effect) {
    for (const auto& t : nodelifecycle::node_taints(node(name))) {
      if (t["key"] == key && t["effect"] == effect) return t.contains("timeAdded");
    }
    return false;
  }
  // Waits until the cached node shows what the store has (so the next pass sees it).
  void await_cache(const std::string& name) {
    ASSERT_TRUE(InfraEnv::eventually([&] {
      auto cached = env.informers.informer(res::kNodes).get(name);
      return cached && *cached == node(name);
    }));
  }
  InfraEnv env;
};

TEST_F(NodeLifecycleTest, SilentNodeGoesUnknownAndGetsUnreachableTaints) {
  seed_node("alive", "True");
  seed_node("silent", "True");
  auto* c = start();
  c->monitor_node_health();  // first sight: both count as alive now
  env.clock.advance(41s);
  renew_lease("alive");
  c->monitor_node_health();
  json n = node("silent");
  for (const auto& cond : n["status"]["conditions"]) {
    EXPECT_EQ(cond["status"], "Unknown") << cond.dump();
  }
  bool saw_ready = false, saw_disk = false;
  for (const auto& cond : n["status"]["conditions"]) {
    if (cond["type"] == "Ready") {
      saw_ready = true;
      EXPECT_EQ(cond["reason"], "NodeStatusUnknown");
      EXPECT_EQ(cond["message"], "Kubelet stopped posting node status.");
    }
    if (cond["type"] == "DiskPressure") saw_disk = true;  // added as never updated
  }
  EXPECT_TRUE(saw_ready);
  EXPECT_TRUE(saw_disk);
  EXPECT_TRUE(has_taint("silent", nodelifecycle::kTaintUnreachable, "NoExecute"));
  EXPECT_TRUE(InfraEnv::eventually([&] { return has_taint("silent", nodelifecycle::kTaintUnreachable, "NoSchedule"); }));
  EXPECT_EQ(condition_status_of(node("alive")), "True");
  EXPECT_TRUE(nodelifecycle::node_taints(node("alive")).empty());
}

TEST_F(NodeLifecycleTest, NodeWithinGracePeriodIsLeftAlone) {
  seed_node("n1", "True");
  seed_node("n2", "True");
  auto* c = start();
  c->monitor_node_health();
  env.clock.advance(39s);
  c->monitor_node_health();
  EXPECT_EQ(condition_status_of(node("n1")), "True");
}

TEST_F(NodeLifecycleTest, NotReadyNodeGetsNotReadyTaintsWhichGoWhenReadyAgain) {
  seed_node("ok", "True");
  seed_node("bad", "False");
  auto* c = start();
  c->monitor_node_health();
  EXPECT_TRUE(has_taint("bad", nodelifecycle::kTaintNotReady, "NoExecute"));
  ASSERT_TRUE(InfraEnv::eventually([&] { return has_taint("bad", nodelifecycle::kTaintNotReady, "NoSchedule"); }));
  json n = node("bad");
  n["status"]["conditions"][0]["status"] = "True";
  ASSERT_TRUE(env.fake.update(res::kNodes, n, "status").has_value());
  await_cache("bad");
  c->monitor_node_health();
  EXPECT_TRUE(InfraEnv::eventually([&] { return nodelifecycle::node_taints(node("bad")).empty(); }));
}

TEST_F(NodeLifecycleTest, WhenEveryNodeIsDownNothingIsTaintedNoExecute) {
  seed_node("a", "True");
  auto* c = start();
  c->monitor_node_health();
  env.clock.advance(41s);
  c->monitor_node_health();
  EXPECT_EQ(condition_status_of(node("a")), "Unknown");
  EXPECT_FALSE(has_taint("a", nodelifecycle::kTaintUnreachable, "NoExecute"));
}

TEST_F(NodeLifecycleTest, UnschedulableNodeGetsTheUnschedulableTaint) {
  json n = seed_node("n1", "True");
  auto* c = start();
  (void)c;
  n = node("n1");
  n["spec"]["unschedulable"] = true;
  ASSERT_TRUE(env.fake.update(res::kNodes, n).has_value());
  EXPECT_TRUE(InfraEnv::eventually([&] { return has_taint("n1", nodelifecycle::kTaintUnschedulable, "NoSchedule"); }));
}

TEST_F(NodeLifecycleTest, TaintEvictionHonoursTolerations) {
  seed_node("ok", "True");
  seed_node("bad", "False");
  seed_pod("plain", "bad");
  seed_pod("patient", "bad",
           json::array({{{"key", nodelifecycle::kTaintNotReady}, {"operator", "Exists"}, {"effect", "NoExecute"},
                         {"tolerationSeconds", 300}}}));
  seed_pod("daemon", "bad", json::array({{{"key", nodelifecycle::kTaintNotReady}, {"operator", "Exists"},
                                           {"effect", "NoExecute"}}}));
  seed_pod("elsewhere", "ok");
  auto* c = start();
  c->monitor_node_health();
  ASSERT_TRUE(has_taint("bad", nodelifecycle::kTaintNotReady, "NoExecute"));
  // Untolerated: marked DisruptionTarget and deleted (graceful: deletionTimestamp set).
  ASSERT_TRUE(InfraEnv::eventually([&] {
    auto p = env.find(res::kPods, "default", "plain");
    return !p || (*p)["metadata"].contains("deletionTimestamp");
  }));
  auto plain = env.find(res::kPods, "default", "plain");
  if (plain) {
    bool marked = false;
    for (const auto& cond : (*plain)["status"]["conditions"]) {
      if (cond["type"] == "DisruptionTarget") {
        marked = cond["reason"] == "DeletionByTaintManager" && cond["status"] == "True";
      }
    }
    EXPECT_TRUE(marked);
  }
  // Pods on a not-ready node are marked not Ready.
  EXPECT_TRUE(InfraEnv::eventually([&] {
    auto p = env.find(res::kPods, "default", "patient");
    return p && (*p)["status"]["conditions"][0]["status"] == "False";
  }));
  auto deleting = [&](const std::string& name) {
    auto p = env.find(res::kPods, "default", name);
    return !p || (*p)["metadata"].contains("deletionTimestamp");
  };
  EXPECT_TRUE(InfraEnv::stays([&] { return !deleting("patient") && !deleting("daemon") && !deleting("elsewhere"); }));
  // After the toleration runs out the patient pod goes; the daemon pod stays.
  env.clock.advance(301s);
  renew_lease("ok");
  renew_lease("bad");  // alive, only not Ready
  c->monitor_node_health();
  EXPECT_TRUE(InfraEnv::eventually([&] { return deleting("patient"); }));
  EXPECT_TRUE(InfraEnv::stays([&] { return !deleting("daemon"); }));
}

TEST(Taints, TolerationMatching) {
  json taint = {{"key", "node.kubernetes.io/unreachable"}, {"effect", "NoExecute"}};
  EXPECT_TRUE(nodelifecycle::tolerates({{"operator", "Exists"}}, taint));
  EXPECT_TRUE(nodelifecycle::tolerates({{"key", "node.kubernetes.io/unreachable"}, {"operator", "Exists"}}, taint));
  EXPECT_FALSE(nodelifecycle::tolerates({{"key", "node.kubernetes.io/unreachable"}, {"operator", "Exists"},
                                         {"effect", "NoSchedule"}},
                                        taint));
  EXPECT_FALSE(nodelifecycle::tolerates({{"key", "other"}, {"operator", "Exists"}}, taint));
  EXPECT_TRUE(nodelifecycle::tolerates({{"key", "node.kubernetes.io/unreachable"}, {"value", ""}}, taint));
  EXPECT_FALSE(nodelifecycle::tolerates({{"key", "node.kubernetes.io/unreachable"}, {"value", "x"}}, taint));
}

}  // namespace
}  // namespace kite::controllers::testing
