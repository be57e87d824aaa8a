#include "server/controllers/endpointslice/endpointslice_controller.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "server/controllers/endpointslice/slice_reconciler.h"
#include "tests/server/controllers/garbagecollector/infra_env.h"

namespace kite::controllers::testing {
namespace {

json service(json spec) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", {{"name", "web"}, {"namespace", "default"}, {"labels", {{"team", "a"}}}}},
          {"spec", spec}};
}

const json kWebSpec = {{"selector", {{"app", "web"}}},
                       {"clusterIP", "10.43.0.20"},
                       {"ports", json::array({{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}, {"targetPort", "http"}}})}};

json web_pod(const std::string& name, const std::string& ip, bool ready, const std::string& node = "n1") {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", {{"app", "web"}}}}},
          {"spec",
           {{"nodeName", node},
            {"containers",
             json::array({{{"name", "c"},
                           {"image", "busybox"},
                           {"ports", json::array({{{"name", "http"}, {"containerPort", 8080}, {"protocol", "TCP"}}})}}})}}},
          {"status",
           {{"phase", "Running"},
            {"podIP", ip},
            {"conditions", json::array({{{"type", "Ready"}, {"status", ready ? "True" : "False"}}})}}}};
}

json node(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", name}, {"labels", {{"topology.kubernetes.io/zone", "z1"}}}}}};
}

class EndpointSliceTest : public ::testing::Test {
 protected:
  void SetUp() override { env.fake.seed(res::kNodes, node("n1")); }
  void start() { env.start(make_endpointslice_controller(env.ctx)); }
  std::vector<json> slices() { return env.fake.objects(res::kEndpointSlices); }
  size_t endpoint_count() {
    size_t n = 0;
    for (const auto& s : slices()) n += s["endpoints"].size();
    return n;
  }
  InfraEnv env;
};

TEST_F(EndpointSliceTest, SliceCarriesLabelsOwnerConditionsAndResolvedPorts) {
  json svc = env.fake.seed(res::kServices, service(kWebSpec));
  json ready = env.fake.seed(res::kPods, web_pod("web-1", "10.42.0.5", true));
  env.fake.seed(res::kPods, web_pod("web-2", "10.42.0.6", false));
  start();
  ASSERT_TRUE(InfraEnv::eventually([&] { return endpoint_count() == 2; }));
  auto all = slices();
  ASSERT_EQ(all.size(), 1u);
  const json& s = all[0];
  EXPECT_TRUE(s["metadata"]["name"].get<std::string>().starts_with("web-"));
  EXPECT_EQ(s["metadata"]["labels"]["kubernetes.io/service-name"], "web");
  EXPECT_EQ(s["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"], "endpointslice-controller.k8s.io");
  EXPECT_EQ(s["metadata"]["labels"]["team"], "a");
  EXPECT_EQ(s["metadata"]["ownerReferences"][0]["uid"], svc["metadata"]["uid"]);
  EXPECT_EQ(s["metadata"]["ownerReferences"][0]["controller"], true);
  EXPECT_EQ(s["addressType"], "IPv4");
  EXPECT_EQ(s["ports"], (json::array({{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}})));
  for (const auto& e : s["endpoints"]) {
    bool is_ready = e["targetRef"]["name"] == "web-1";
    EXPECT_EQ(e["conditions"], (json{{"ready", is_ready}, {"serving", is_ready}, {"terminating", false}}));
    EXPECT_EQ(e["nodeName"], "n1");
    EXPECT_EQ(e["zone"], "z1");
    if (is_ready) {
      EXPECT_EQ(e["addresses"], json::array({"10.42.0.5"}));
      EXPECT_EQ(e["targetRef"]["uid"], ready["metadata"]["uid"]);
    }
  }
}

TEST_F(EndpointSliceTest, TerminatingPodIsServingButNotReady) {
  env.fake.seed(res::kServices, service(kWebSpec));
  json p = web_pod("web-1", "10.42.0.5", true);
  p["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  env.fake.seed(res::kPods, p);
  start();
  ASSERT_TRUE(InfraEnv::eventually([&] { return endpoint_count() == 1; }));
  EXPECT_EQ(slices()[0]["endpoints"][0]["conditions"],
            (json{{"ready", false}, {"serving", true}, {"terminating", true}}));
}

TEST_F(EndpointSliceTest, AtMostOneHundredEndpointsPerSlice) {
  env.fake.seed(res::kServices, service(kWebSpec));
  for (int i = 0; i < 250; ++i) {
    env.fake.seed(res::kPods, web_pod("web-" + std::to_string(i),
                                      "10.42." + std::to_string(i / 200) + "." + std::to_string(i % 200 + 1), true));
  }
  start();
  ASSERT_TRUE(InfraEnv::eventually([&] { return endpoint_count() == 250; }));
  auto all = slices();
  ASSERT_EQ(all.size(), 3u);
  std::vector<size_t> sizes;
  for (const auto& s : all) sizes.push_back(s["endpoints"].size());
  std::sort(sizes.begin(), sizes.end());
  EXPECT_EQ(sizes, (std::vector<size_t>{50, 100, 100}));
}

TEST_F(EndpointSliceTest, ServiceWithoutEndpointsHasOnePlaceholderSlice) {
  env.fake.seed(res::kServices, service(kWebSpec));
  start();
  ASSERT_TRUE(InfraEnv::eventually([&] { return slices().size() == 1; }));
  EXPECT_TRUE(slices()[0]["endpoints"].empty());
  EXPECT_TRUE(InfraEnv::stays([&] { return slices().size() == 1; }));
  // The first pods replace the placeholder.
  for (auto [name, ip] : {std::pair{"web-1", "10.42.0.5"}, std::pair{"web-2", "10.42.0.6"}}) {
    json p = web_pod(name, ip, true);
    auto created = env.fake.create(res::kPods, "default", p);  // the server drops status on create
    ASSERT_TRUE(created.has_value());
    (*created)["status"] = p["status"];
    ASSERT_TRUE(env.fake.update(res::kPods, *created, "status").has_value());
  }
  ASSERT_TRUE(InfraEnv::eventually([&] { return endpoint_count() == 2 && slices().size() == 1; }))
      << json(slices()).dump();
}

TEST_F(EndpointSliceTest, PodOnAMissingNodeIsSkipped) {
  env.fake.seed(res::kServices, service(kWebSpec));
  env.fake.seed(res::kPods, web_pod("web-1", "10.42.0.5", true));
  env.fake.seed(res::kPods, web_pod("web-2", "10.42.0.6", true, "gone-node"));
  start();
  ASSERT_TRUE(InfraEnv::eventually([&] { return endpoint_count() == 1; }));
  EXPECT_EQ(slices()[0]["endpoints"][0]["targetRef"]["name"], "web-1");
}

TEST_F(EndpointSliceTest, ServiceWithoutSelectorGetsNoSlices) {
  json spec = kWebSpec;
  spec.erase("selector");
  env.fake.seed(res::kServices, service(spec));
  start();
  EXPECT_TRUE(InfraEnv::stays([&] { return slices().empty(); }));
}

TEST(SliceReconciler, KeepsEndpointsInTheirSliceAndFillsRoomBeforeCreating) {
  json svc = service(kWebSpec);
  svc["metadata"]["uid"] = "svc-uid";
  json ports = json::array({{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}});
  auto endpoint = [](const std::string& uid) {
    return json{{"addresses", json::array({"10.0.0." + uid})}, {"targetRef", {{"kind", "Pod"}, {"uid", uid}}}};
  };
  json labels = {{endpointslice::kLabelServiceName, "web"}};
  json existing = {{"metadata", {{"name", "web-a"}, {"namespace", "default"}, {"labels", labels}}},
                   {"addressType", "IPv4"},
                   {"ports", ports},
                   {"endpoints", json::array({endpoint("1"), endpoint("2")})}};
  // Pod 1 stays, pod 2 goes, pods 3 and 4 come: with room for 3 per slice, 3 joins web-a and 4
  // needs a new slice.
  std::vector<endpointslice::DesiredEndpoint> desired = {{ports, endpoint("1")}, {ports, endpoint("3")},
                                                         {ports, endpoint("4")}};
  auto plan = endpointslice::plan_slices(svc, labels, desired, {existing}, 2);
  ASSERT_EQ(plan.updates.size(), 1u);
  EXPECT_EQ(plan.updates[0]["metadata"]["name"], "web-a");
  EXPECT_EQ(plan.updates[0]["endpoints"], (json::array({endpoint("1"), endpoint("3")})));
  ASSERT_EQ(plan.creates.size(), 1u);
  EXPECT_EQ(plan.creates[0]["endpoints"], json::array({endpoint("4")}));
  EXPECT_EQ(plan.creates[0]["metadata"]["generateName"], "web-");
  EXPECT_TRUE(plan.deletes.empty());
}

TEST(SliceReconciler, NothingChangesWhenSlicesAreUpToDate) {
  json svc = service(kWebSpec);
  json ports = json::array();
  json ep = {{"addresses", json::array({"10.0.0.1"})}, {"targetRef", {{"uid", "1"}}}};
  json labels = {{"a", "b"}};
  json existing = {{"metadata", {{"name", "web-a"}, {"labels", labels}}},
                   {"addressType", "IPv4"},
                   {"ports", ports},
                   {"endpoints", json::array({ep})}};
  auto plan = endpointslice::plan_slices(svc, labels, {{ports, ep}}, {existing});
  EXPECT_TRUE(plan.creates.empty());
  EXPECT_TRUE(plan.updates.empty());
  EXPECT_TRUE(plan.deletes.empty());
}

}  // namespace
}  // namespace kite::controllers::testing
