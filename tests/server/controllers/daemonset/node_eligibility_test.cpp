#include "server/controllers/daemonset/node_eligibility.h"

#include <gtest/gtest.h>

namespace kite::controllers::daemonset {
namespace {

json node(const std::string& name, json labels = json::object(), json taints = json::array()) {
  return json{{"metadata", {{"name", name}, {"labels", labels}}}, {"spec", {{"taints", taints}}}};
}

json ds(json pod_spec) {
  pod_spec["containers"] = json::array({{{"name", "c"}, {"image", "i"}}});
  return json{{"metadata", {{"name", "d"}, {"namespace", "default"}}},
              {"spec", {{"template", {{"metadata", {{"labels", {{"app", "d"}}}}}, {"spec", pod_spec}}}}}};
}

json taint(const std::string& key, const std::string& effect, const std::string& value = "") {
  json t = {{"key", key}, {"effect", effect}};
  if (!value.empty()) t["value"] = value;
  return t;
}

TEST(NodeEligibility, NodeSelectorPicksLabelledNodes) {
  json d = ds({{"nodeSelector", {{"role", "chunkserver"}}}});
  EXPECT_TRUE(node_should_run_daemon_pod(node("a", {{"role", "chunkserver"}}), d).should_run);
  EXPECT_FALSE(node_should_run_daemon_pod(node("b", {{"role", "master"}}), d).should_run);
  EXPECT_FALSE(node_should_run_daemon_pod(node("c"), d).should_continue_running);
}

TEST(NodeEligibility, RequiredNodeAffinityTermsAreOredAndExpressionsAnded) {
  json affinity = {{"nodeAffinity",
                    {{"requiredDuringSchedulingIgnoredDuringExecution",
                      {{"nodeSelectorTerms",
                        json::array({{{"matchExpressions",
                                       json::array({{{"key", "disk"}, {"operator", "In"}, {"values", {"ssd"}}},
                                                    {{"key", "zone"}, {"operator", "Exists"}}})}},
                                     {{"matchFields", json::array({{{"key", "metadata.name"},
                                                                    {"operator", "In"},
                                                                    {"values", {"special"}}}})}}})}}}}}};
  json d = ds({{"affinity", affinity}});
  EXPECT_TRUE(node_should_run_daemon_pod(node("a", {{"disk", "ssd"}, {"zone", "z1"}}), d).should_run);
  EXPECT_FALSE(node_should_run_daemon_pod(node("b", {{"disk", "ssd"}}), d).should_run);
  EXPECT_FALSE(node_should_run_daemon_pod(node("c", {{"disk", "hdd"}, {"zone", "z1"}}), d).should_run);
  EXPECT_TRUE(node_should_run_daemon_pod(node("special"), d).should_run);

  json gt = ds({{"affinity",
                 {{"nodeAffinity",
                   {{"requiredDuringSchedulingIgnoredDuringExecution",
                     {{"nodeSelectorTerms",
                       json::array({{{"matchExpressions", json::array({{{"key", "cores"},
                                                                        {"operator", "Gt"},
                                                                        {"values", {"4"}}}})}}})}}}}}}}});
  EXPECT_TRUE(node_should_run_daemon_pod(node("a", {{"cores", "8"}}), gt).should_run);
  EXPECT_FALSE(node_should_run_daemon_pod(node("a", {{"cores", "2"}}), gt).should_run);
  EXPECT_FALSE(node_should_run_daemon_pod(node("a", {{"cores", "many"}}), gt).should_run);
}

TEST(NodeEligibility, TaintsNeedTolerations) {
  json plain = ds(json::object());
  json n = node("a", json::object(), json::array({taint("dedicated", "NoSchedule", "db")}));
  auto v = node_should_run_daemon_pod(n, plain);
  EXPECT_FALSE(v.should_run);
  EXPECT_TRUE(v.should_continue_running);  // NoSchedule does not evict an existing daemon pod

  json tolerant = ds({{"tolerations", json::array({{{"key", "dedicated"}, {"operator", "Equal"},
                                                     {"value", "db"}, {"effect", "NoSchedule"}}})}});
  EXPECT_TRUE(node_should_run_daemon_pod(n, tolerant).should_run);
  json wrong_value = ds({{"tolerations", json::array({{{"key", "dedicated"}, {"value", "web"}}})}});
  EXPECT_FALSE(node_should_run_daemon_pod(n, wrong_value).should_run);
  json exists_all = ds({{"tolerations", json::array({{{"operator", "Exists"}}})}});
  EXPECT_TRUE(node_should_run_daemon_pod(n, exists_all).should_run);

  json evicting = node("b", json::object(), json::array({taint("dedicated", "NoExecute")}));
  v = node_should_run_daemon_pod(evicting, plain);
  EXPECT_FALSE(v.should_run);
  EXPECT_FALSE(v.should_continue_running);

  // PreferNoSchedule is ignored.
  EXPECT_TRUE(node_should_run_daemon_pod(node("c", json::object(), json::array({taint("x", "PreferNoSchedule")})),
                                         plain)
                  .should_run);
}

TEST(NodeEligibility, DaemonPodsTolerateNodeConditionTaints) {
  json plain = ds(json::object());
  for (const char* key : {"node.kubernetes.io/disk-pressure", "node.kubernetes.io/memory-pressure",
                          "node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable"}) {
    EXPECT_TRUE(node_should_run_daemon_pod(node("a", json::object(), json::array({taint(key, "NoSchedule")})), plain)
                    .should_run)
        << key;
  }
  for (const char* key : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
    EXPECT_TRUE(node_should_run_daemon_pod(node("a", json::object(), json::array({taint(key, "NoExecute")})), plain)
                    .should_run)
        << key;
  }
  json unavailable = node("a", json::object(), json::array({taint("node.kubernetes.io/network-unavailable",
                                                                   "NoSchedule")}));
  EXPECT_FALSE(node_should_run_daemon_pod(unavailable, plain).should_run);
  EXPECT_TRUE(node_should_run_daemon_pod(unavailable, ds({{"hostNetwork", true}})).should_run);

  // An unschedulable node (spec.unschedulable) still gets its daemon pod.
  json cordoned = node("a");
  cordoned["spec"]["unschedulable"] = true;
  EXPECT_TRUE(node_should_run_daemon_pod(cordoned, plain).should_run);
}

TEST(NodeEligibility, TemplateNodeNamePinsOneNode) {
  json d = ds({{"nodeName", "a"}});
  EXPECT_TRUE(node_should_run_daemon_pod(node("a"), d).should_run);
  EXPECT_FALSE(node_should_run_daemon_pod(node("b"), d).should_run);
}

TEST(NodeEligibility, AddDaemonTolerationsReplacesEqualKeysOnce) {
  json spec = {{"tolerations", json::array({{{"key", "node.kubernetes.io/not-ready"},
                                             {"operator", "Exists"},
                                             {"effect", "NoExecute"},
                                             {"tolerationSeconds", 10}}})}};
  add_daemon_tolerations(spec);
  add_daemon_tolerations(spec);
  EXPECT_EQ(spec["tolerations"].size(), 6u);
  EXPECT_FALSE(spec["tolerations"][0].contains("tolerationSeconds"));
}

}  // namespace
}  // namespace kite::controllers::daemonset
