#include "scheduler/plugins/plugins.h"

#include <gtest/gtest.h>

#include "tests/scheduler/test_objects.h"

namespace kite::scheduler {
namespace {

using namespace testing;

// Runs pre_filter + filter; returns the reasons ("" joined) or "fits".
std::string run_filter(Plugin& p, const json& pod_json, const NodeInfo& node, const Snapshot* snap = nullptr) {
  auto pod = parse_pod(pod_json);
  Snapshot empty;
  EXPECT_EQ(p.pre_filter(*pod, snap ? *snap : empty), "");
  std::vector<std::string> reasons;
  if (p.filter(*pod, node, reasons)) return "fits";
  std::string out;
  for (const auto& r : reasons) out += (out.empty() ? "" : "; ") + r;
  return out;
}

// Normalized scores of `pod` on each node of `snap`, in snapshot order.
std::vector<int64_t> run_score(Plugin& p, const json& pod_json, const Snapshot& snap) {
  auto pod = parse_pod(pod_json);
  std::vector<const NodeInfo*> feasible;
  for (const auto& n : snap.nodes) feasible.push_back(n.get());
  p.pre_filter(*pod, snap);
  p.pre_score(*pod, snap, feasible);
  std::vector<int64_t> scores;
  for (const auto* n : feasible) scores.push_back(p.score(*pod, *n));
  p.normalize(scores);
  return scores;
}

TEST(NodeUnschedulableTest, CordonedNodeRejectsUnlessTolerated) {
  auto plugin = make_node_unschedulable();
  json node = make_node("n1");
  node["spec"]["unschedulable"] = true;
  EXPECT_EQ(run_filter(*plugin, make_pod("p"), node_info(node)), "node(s) were unschedulable");
  json pod = make_pod("p");
  pod["spec"]["tolerations"] = {{{"key", "node.kubernetes.io/unschedulable"}, {"operator", "Exists"},
                                 {"effect", "NoSchedule"}}};
  EXPECT_EQ(run_filter(*plugin, pod, node_info(node)), "fits");
  EXPECT_EQ(run_filter(*plugin, make_pod("p"), node_info(make_node("n2"))), "fits");
}

TEST(TaintTolerationTest, UntoleratedNoScheduleTaintRejects) {
  auto plugin = make_taint_toleration();
  json node = make_node("n1");
  node["spec"]["taints"] = {{{"key", "dedicated"}, {"value", "gpu"}, {"effect", "NoSchedule"}}};
  EXPECT_EQ(run_filter(*plugin, make_pod("p"), node_info(node)), "node(s) had untolerated taint {dedicated: gpu}");

  json equal = make_pod("p");
  equal["spec"]["tolerations"] = {{{"key", "dedicated"}, {"operator", "Equal"}, {"value", "gpu"}}};
  EXPECT_EQ(run_filter(*plugin, equal, node_info(node)), "fits");
  json wrong_value = make_pod("p");
  wrong_value["spec"]["tolerations"] = {{{"key", "dedicated"}, {"value", "cpu"}}};
  EXPECT_NE(run_filter(*plugin, wrong_value, node_info(node)), "fits");
  json wrong_effect = make_pod("p");
  wrong_effect["spec"]["tolerations"] = {{{"key", "dedicated"}, {"operator", "Exists"}, {"effect", "NoExecute"}}};
  EXPECT_NE(run_filter(*plugin, wrong_effect, node_info(node)), "fits");
  json everything = make_pod("p");
  everything["spec"]["tolerations"] = {{{"operator", "Exists"}}};
  EXPECT_EQ(run_filter(*plugin, everything, node_info(node)), "fits");

  json control_plane = make_node("cp");
  control_plane["spec"]["taints"] = {{{"key", "node-role.kubernetes.io/control-plane"}, {"effect", "NoSchedule"}}};
  EXPECT_EQ(run_filter(*plugin, make_pod("p"), node_info(control_plane)),
            "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }");
}

TEST(TaintTolerationTest, PreferNoScheduleOnlyScores) {
  auto plugin = make_taint_toleration();
  json tainted = make_node("tainted");
  tainted["spec"]["taints"] = {{{"key", "spot"}, {"value", "true"}, {"effect", "PreferNoSchedule"}}};
  EXPECT_EQ(run_filter(*plugin, make_pod("p"), node_info(tainted)), "fits");
  auto snap = Snapshot::from({node_info(tainted), node_info(make_node("clean"))});
  EXPECT_EQ(run_score(*plugin, make_pod("p"), snap), (std::vector<int64_t>{0, 100}));
}

TEST(NodeAffinityTest, NodeSelectorMustMatchLabels) {
  auto plugin = make_node_affinity();
  json pod = make_pod("p");
  pod["spec"]["nodeSelector"] = {{"disktype", "ssd"}};
  EXPECT_EQ(run_filter(*plugin, pod, node_info(make_node("n1"))), "node(s) didn't match Pod's node affinity/selector");
  EXPECT_EQ(run_filter(*plugin, pod, node_info(make_node("n2", "4", "8Gi", "110", {{"disktype", "ssd"}}))), "fits");
}

TEST(NodeAffinityTest, RequiredTermsAreOredExpressionsAnded) {
  auto plugin = make_node_affinity();
  json pod = make_pod("p");
  pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"] = {
      {{"matchExpressions",
        {{{"key", "zone"}, {"operator", "In"}, {"values", {"a", "b"}}},
         {{"key", "gpus"}, {"operator", "Gt"}, {"values", {"1"}}}}}},
      {{"matchFields", {{{"key", "metadata.name"}, {"operator", "In"}, {"values", {"special"}}}}}}};
  EXPECT_EQ(run_filter(*plugin, pod, node_info(make_node("n1", "4", "8Gi", "110", {{"zone", "a"}, {"gpus", "2"}}))),
            "fits");
  EXPECT_NE(run_filter(*plugin, pod, node_info(make_node("n2", "4", "8Gi", "110", {{"zone", "a"}, {"gpus", "1"}}))),
            "fits");
  EXPECT_NE(run_filter(*plugin, pod, node_info(make_node("n3", "4", "8Gi", "110", {{"zone", "c"}, {"gpus", "4"}}))),
            "fits");
  EXPECT_EQ(run_filter(*plugin, pod, node_info(make_node("special"))), "fits");
}

TEST(NodeAffinityTest, PreferredTermsScoreByWeight) {
  auto plugin = make_node_affinity();
  json pod = make_pod("p");
  pod["spec"]["affinity"]["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"] = {
      {{"weight", 80}, {"preference", {{"matchExpressions", {{{"key", "zone"}, {"operator", "In"}, {"values", {"a"}}}}}}}},
      {{"weight", 20}, {"preference", {{"matchExpressions", {{{"key", "ssd"}, {"operator", "Exists"}}}}}}}};
  auto snap = Snapshot::from({node_info(make_node("a", "4", "8Gi", "110", {{"zone", "a"}})),
                              node_info(make_node("b", "4", "8Gi", "110", {{"ssd", "1"}})),
                              node_info(make_node("c"))});
  EXPECT_EQ(run_score(*plugin, pod, snap), (std::vector<int64_t>{100, 25, 0}));
}

TEST(ImageArchitectureTest, ImagePlatformsRestrictNodes) {
  auto platforms = std::make_shared<StaticImagePlatforms>();
  platforms->set("registry.local/app:1", {"linux/arm64"});
  platforms->set("registry.local/multi:1", {"linux/amd64", "linux/arm64/v8"});
  auto plugin = make_image_architecture(platforms);
  NodeInfo amd = node_info(make_node("amd", "4", "8Gi", "110", {{"kubernetes.io/arch", "amd64"}}));
  NodeInfo arm = node_info(make_node("arm", "4", "8Gi", "110", {{"kubernetes.io/arch", "arm64"}}));

  json pod = make_pod("p");
  pod["spec"]["containers"][0]["image"] = "registry.local/app:1";
  EXPECT_EQ(run_filter(*plugin, pod, amd), "node(s) had an architecture the Pod's images do not support");
  EXPECT_EQ(run_filter(*plugin, pod, arm), "fits");

  json multi = make_pod("m");
  multi["spec"]["containers"][0]["image"] = "registry.local/multi:1";
  EXPECT_EQ(run_filter(*plugin, multi, amd), "fits");
  EXPECT_EQ(run_filter(*plugin, multi, arm), "fits");
  // Two images: only the architectures both support.
  multi["spec"]["initContainers"] = {{{"name", "init"}, {"image", "registry.local/app:1"}}};
  EXPECT_NE(run_filter(*plugin, multi, amd), "fits");

  // Unknown images constrain nothing (nodeSelector/affinity decide, in NodeAffinity).
  EXPECT_EQ(run_filter(*plugin, make_pod("u"), amd), "fits");
}

TEST(ImageArchitectureTest, ArchFromStatusWhenNoLabel) {
  auto platforms = std::make_shared<StaticImagePlatforms>();
  platforms->set("app", {"amd64"});
  auto plugin = make_image_architecture(platforms);
  json node = make_node("n");
  node["status"]["nodeInfo"] = {{"architecture", "arm64"}};
  json pod = make_pod("p");
  pod["spec"]["containers"][0]["image"] = "app";
  EXPECT_NE(run_filter(*plugin, pod, node_info(node)), "fits");
}

TEST(NodeAffinityTest, ArchSelectorIsAnAffinityMismatch) {
  auto plugin = make_node_affinity();
  json pod = make_pod("p");
  pod["spec"]["nodeSelector"] = {{"kubernetes.io/arch", "arm64"}};
  EXPECT_EQ(run_filter(*plugin, pod, node_info(make_node("amd", "4", "8Gi", "110", {{"kubernetes.io/arch", "amd64"}}))),
            "node(s) didn't match Pod's node affinity/selector");
}

TEST(NodePortsTest, HostPortConflicts) {
  auto plugin = make_node_ports();
  json existing = make_pod("web");
  existing["spec"]["containers"][0]["ports"] = {{{"containerPort", 80}, {"hostPort", 8080}}};
  NodeInfo node = node_with_pods(make_node("n1"), {existing});

  json same = make_pod("p");
  same["spec"]["containers"][0]["ports"] = {{{"containerPort", 80}, {"hostPort", 8080}, {"protocol", "TCP"}}};
  EXPECT_EQ(run_filter(*plugin, same, node), "node(s) didn't have free ports for the requested pod ports");
  json udp = make_pod("p");
  udp["spec"]["containers"][0]["ports"] = {{{"containerPort", 80}, {"hostPort", 8080}, {"protocol", "UDP"}}};
  EXPECT_EQ(run_filter(*plugin, udp, node), "fits");
  json other_ip = make_pod("p");
  other_ip["spec"]["containers"][0]["ports"] = {{{"containerPort", 80}, {"hostPort", 8080}, {"hostIP", "10.0.0.1"}}};
  EXPECT_NE(run_filter(*plugin, other_ip, node), "fits");  // the existing one binds 0.0.0.0
  EXPECT_EQ(run_filter(*plugin, make_pod("noports"), node), "fits");
}

TEST(NodeResourcesFitTest, ReportsEveryInsufficientResource) {
  auto plugin = make_node_resources_fit();
  NodeInfo node = node_with_pods(make_node("n1", "2", "4Gi"), {make_pod("a", "1500m", "1Gi")});
  EXPECT_EQ(run_filter(*plugin, make_pod("p", "500m", "3Gi"), node), "fits");
  EXPECT_EQ(run_filter(*plugin, make_pod("p", "501m", "3Gi"), node), "Insufficient cpu");
  EXPECT_EQ(run_filter(*plugin, make_pod("p", "1", "4Gi"), node), "Insufficient cpu; Insufficient memory");
  // No requests: only the pod count matters.
  EXPECT_EQ(run_filter(*plugin, make_pod("p"), node), "fits");
}

TEST(NodeResourcesFitTest, PodCountAndExtendedResources) {
  auto plugin = make_node_resources_fit();
  NodeInfo full = node_with_pods(make_node("n1", "4", "8Gi", "1"), {make_pod("a")});
  EXPECT_EQ(run_filter(*plugin, make_pod("p"), full), "Too many pods");

  json gpu_node = make_node("g");
  gpu_node["status"]["allocatable"]["nvidia.com/gpu"] = "1";
  json pod = make_pod("p");
  pod["spec"]["containers"][0]["resources"]["limits"] = {{"nvidia.com/gpu", "2"}};
  EXPECT_EQ(run_filter(*plugin, pod, node_info(gpu_node)), "Insufficient nvidia.com/gpu");
  pod["spec"]["containers"][0]["resources"]["limits"] = {{"nvidia.com/gpu", "1"}};
  EXPECT_EQ(run_filter(*plugin, pod, node_info(gpu_node)), "fits");
}

TEST(NodeResourcesFitTest, InitContainersAndSidecarsCount) {
  json pod = make_pod("p", "100m", "100Mi");
  pod["spec"]["initContainers"] = {
      {{"name", "sidecar"}, {"image", "x"}, {"restartPolicy", "Always"},
       {"resources", {{"requests", {{"cpu", "200m"}}}}}},
      {{"name", "init"}, {"image", "x"}, {"resources", {{"requests", {{"cpu", "1"}, {"memory", "50Mi"}}}}}}};
  pod["spec"]["overhead"] = {{"cpu", "10m"}};
  auto info = parse_pod(pod);
  // max(100m + 200m sidecar, 1 + 200m sidecar while init runs) + 10m overhead
  EXPECT_EQ(info->requests.milli_cpu, 1210);
  EXPECT_EQ(info->requests.memory, 100 * 1024 * 1024);
  EXPECT_EQ(info->requests.pods, 1);
}

TEST(NodeResourcesFitTest, LeastAllocatedPrefersEmptierNodes) {
  auto plugin = make_node_resources_fit();
  auto snap = Snapshot::from({node_with_pods(make_node("busy", "4", "8Gi"), {make_pod("a", "3", "6Gi")}),
                              node_info(make_node("idle", "4", "8Gi"))});
  auto scores = run_score(*plugin, make_pod("p", "1", "2Gi"), snap);
  EXPECT_LT(scores[0], scores[1]);
  EXPECT_EQ(scores[0], 0);   // (4-4)/4
  EXPECT_EQ(scores[1], 75);  // (4-1)/4
}

TEST(BalancedAllocationTest, PrefersBalancedCpuAndMemory) {
  auto plugin = make_balanced_allocation();
  auto snap = Snapshot::from({node_with_pods(make_node("skewed", "4", "8Gi"), {make_pod("a", "3", "1Gi")}),
                              node_with_pods(make_node("even", "4", "8Gi"), {make_pod("b", "1", "2Gi")})});
  auto scores = run_score(*plugin, make_pod("p", "1", "2Gi"), snap);
  EXPECT_LT(scores[0], scores[1]);
  EXPECT_EQ(scores[1], 100);
}

json with_labels(json pod, json labels) {
  pod["metadata"]["labels"] = std::move(labels);
  return pod;
}

json zone_node(const std::string& name, const std::string& zone) {
  return make_node(name, "4", "8Gi", "110", {{kZoneLabel, zone}});
}

TEST(PodTopologySpreadTest, DoNotScheduleKeepsSkew) {
  auto plugin = make_pod_topology_spread();
  json app = with_labels(make_pod("x"), {{"app", "web"}});
  auto snap = Snapshot::from({node_with_pods(zone_node("a1", "a"), {app, app}), node_info(zone_node("b1", "b")),
                              node_info(make_node("nozone"))});
  json pod = with_labels(make_pod("p"), {{"app", "web"}});
  pod["spec"]["topologySpreadConstraints"] = {{{"maxSkew", 1},
                                               {"topologyKey", kZoneLabel},
                                               {"whenUnsatisfiable", "DoNotSchedule"},
                                               {"labelSelector", {{"matchLabels", {{"app", "web"}}}}}}};
  EXPECT_EQ(run_filter(*plugin, pod, *snap.nodes[0], &snap), "node(s) didn't match pod topology spread constraints");
  EXPECT_EQ(run_filter(*plugin, pod, *snap.nodes[1], &snap), "fits");
  EXPECT_EQ(run_filter(*plugin, pod, *snap.nodes[2], &snap),
            "node(s) didn't match pod topology spread constraints (missing required label)");
  // Pods of another namespace or app do not count.
  json other = with_labels(make_pod("p", "", "", "other"), {{"app", "web"}});
  other["spec"]["topologySpreadConstraints"] = pod["spec"]["topologySpreadConstraints"];
  EXPECT_EQ(run_filter(*plugin, other, *snap.nodes[0], &snap), "fits");
}

TEST(PodTopologySpreadTest, ScheduleAnywayScoresLessLoadedDomains) {
  auto plugin = make_pod_topology_spread();
  json app = with_labels(make_pod("x"), {{"app", "web"}});
  auto snap = Snapshot::from({node_with_pods(zone_node("a1", "a"), {app, app}), node_info(zone_node("b1", "b"))});
  json pod = with_labels(make_pod("p"), {{"app", "web"}});
  pod["spec"]["topologySpreadConstraints"] = {{{"maxSkew", 1},
                                               {"topologyKey", kZoneLabel},
                                               {"whenUnsatisfiable", "ScheduleAnyway"},
                                               {"labelSelector", {{"matchLabels", {{"app", "web"}}}}}}};
  EXPECT_EQ(run_filter(*plugin, pod, *snap.nodes[0], &snap), "fits");
  auto scores = run_score(*plugin, pod, snap);
  EXPECT_LT(scores[0], scores[1]);
}

json owned_by(json pod, const std::string& uid) {
  pod["metadata"]["ownerReferences"] = {{{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}, {"name", "rs"},
                                         {"uid", uid}, {"controller", true}}};
  return pod;
}

TEST(PodTopologySpreadTest, SystemDefaultsSpreadPodsOfOneController) {
  auto plugin = make_pod_topology_spread();
  // No zones in this fleet: spreading still works by hostname.
  auto snap = Snapshot::from({node_with_pods(make_node("n1"), {owned_by(make_pod("a"), "rs-1"), owned_by(make_pod("b"), "rs-1")}),
                              node_with_pods(make_node("n2"), {owned_by(make_pod("c"), "rs-2")}),
                              node_info(make_node("n3"))});
  auto scores = run_score(*plugin, owned_by(make_pod("p"), "rs-1"), snap);
  EXPECT_LT(scores[0], scores[1]);
  EXPECT_EQ(scores[1], scores[2]);  // another controller's pods do not count
  // A pod without an owner gets no default constraints.
  EXPECT_EQ(run_score(*plugin, make_pod("bare"), snap), (std::vector<int64_t>{0, 0, 0}));
}

TEST(InterPodAffinityTest, AntiAffinityOnHostname) {
  auto plugin = make_inter_pod_affinity(nullptr);
  json db = with_labels(make_pod("db-0"), {{"app", "db"}});
  auto snap = Snapshot::from({node_with_pods(make_node("n1"), {db}), node_info(make_node("n2"))});
  json pod = with_labels(make_pod("db-1"), {{"app", "db"}});
  pod["spec"]["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] = {
      {{"labelSelector", {{"matchLabels", {{"app", "db"}}}}}, {"topologyKey", kHostnameLabel}}};
  EXPECT_EQ(run_filter(*plugin, pod, *snap.nodes[0], &snap), "node(s) didn't match pod anti-affinity rules");
  EXPECT_EQ(run_filter(*plugin, pod, *snap.nodes[1], &snap), "fits");
}

TEST(InterPodAffinityTest, ExistingPodsAntiAffinityIsSymmetric) {
  auto plugin = make_inter_pod_affinity(nullptr);
  json loner = with_labels(make_pod("loner"), {{"app", "loner"}});
  loner["spec"]["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] = {
      {{"labelSelector", {{"matchLabels", {{"app", "web"}}}}}, {"topologyKey", kZoneLabel}}};
  auto snap = Snapshot::from({node_with_pods(zone_node("a1", "a"), {loner}), node_info(zone_node("a2", "a")),
                              node_info(zone_node("b1", "b"))});
  json web = with_labels(make_pod("web"), {{"app", "web"}});
  EXPECT_EQ(run_filter(*plugin, web, *snap.nodes[1], &snap), "node(s) didn't satisfy existing pods anti-affinity rules");
  EXPECT_EQ(run_filter(*plugin, web, *snap.nodes[2], &snap), "fits");
}

TEST(InterPodAffinityTest, AffinityToZoneAndFirstPodOfAGroup) {
  auto plugin = make_inter_pod_affinity(nullptr);
  json cache = with_labels(make_pod("cache"), {{"app", "cache"}});
  auto snap = Snapshot::from({node_with_pods(zone_node("a1", "a"), {cache}), node_info(zone_node("a2", "a")),
                              node_info(zone_node("b1", "b"))});
  json pod = with_labels(make_pod("web"), {{"app", "web"}});
  pod["spec"]["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] = {
      {{"labelSelector", {{"matchLabels", {{"app", "cache"}}}}}, {"topologyKey", kZoneLabel}}};
  EXPECT_EQ(run_filter(*plugin, pod, *snap.nodes[1], &snap), "fits");
  EXPECT_EQ(run_filter(*plugin, pod, *snap.nodes[2], &snap), "node(s) didn't match pod affinity rules");

  // A pod with affinity to its own group may start the group anywhere.
  json self = with_labels(make_pod("s"), {{"app", "group"}});
  self["spec"]["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] = {
      {{"labelSelector", {{"matchLabels", {{"app", "group"}}}}}, {"topologyKey", kZoneLabel}}};
  EXPECT_EQ(run_filter(*plugin, self, *snap.nodes[2], &snap), "fits");
}

TEST(InterPodAffinityTest, PreferredAffinityScores) {
  auto plugin = make_inter_pod_affinity(nullptr);
  json cache = with_labels(make_pod("cache"), {{"app", "cache"}});
  auto snap = Snapshot::from({node_with_pods(make_node("n1"), {cache}), node_info(make_node("n2"))});
  json pod = make_pod("web");
  json term = {{"labelSelector", {{"matchLabels", {{"app", "cache"}}}}}, {"topologyKey", kHostnameLabel}};
  json weighted = {{"weight", 50}, {"podAffinityTerm", term}};
  pod["spec"]["affinity"]["podAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"] = json::array({weighted});
  EXPECT_EQ(run_score(*plugin, pod, snap), (std::vector<int64_t>{100, 0}));
}

TEST(ImageLocalityTest, NodesWithTheImageScoreHigher) {
  auto plugin = make_image_locality();
  json with = make_node("with");
  with["status"]["images"] = {{{"names", {"docker.io/library/app:1", "app:1"}}, {"sizeBytes", 500 * 1024 * 1024}}};
  auto snap = Snapshot::from({node_info(with), node_info(make_node("without"))});
  json pod = make_pod("p");
  pod["spec"]["containers"][0]["image"] = "app:1";
  auto scores = run_score(*plugin, pod, snap);
  EXPECT_GT(scores[0], 0);
  EXPECT_EQ(scores[1], 0);
}

}  // namespace
}  // namespace kite::scheduler
