#include "server/controllers/endpoints/endpoints_controller.h"

#include <gtest/gtest.h>

#include "tests/server/controllers/garbagecollector/infra_env.h"

namespace kite::controllers::testing {
namespace {

json service(const std::string& name, json spec) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", {{"team", "a"}}}}},
          {"spec", spec}};
}

json web_pod(const std::string& name, const std::string& ip, bool ready, json labels = {{"app", "web"}}) {
  json p = {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", labels}}},
            {"spec",
             {{"nodeName", "n1"},
              {"containers",
               json::array({{{"name", "c"},
                             {"image", "busybox"},
                             {"ports", json::array({{{"name", "http"}, {"containerPort", 8080}, {"protocol", "TCP"}}})}}})}}},
            {"status", {{"phase", "Running"}}}};
  if (!ip.empty()) p["status"]["podIP"] = ip;
  p["status"]["conditions"] = json::array({{{"type", "Ready"}, {"status", ready ? "True" : "False"}}});
  return p;
}

const json kWebSpec = {{"selector", {{"app", "web"}}},
                       {"clusterIP", "10.43.0.20"},
                       {"ports", json::array({{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}, {"targetPort", "http"}}})}};

class EndpointsTest : public ::testing::Test {
 protected:
  void start() { env.start(make_endpoints_controller(env.ctx)); }
  std::optional<json> endpoints(const std::string& name) { return env.find(res::kEndpoints, "default", name); }
  InfraEnv env;
};

TEST_F(EndpointsTest, ReadyAndNotReadyPodsWithNamedPortResolved) {
  env.fake.seed(res::kServices, service("web", kWebSpec));
  json ready = env.fake.seed(res::kPods, web_pod("web-1", "10.42.0.5", true));
  env.fake.seed(res::kPods, web_pod("web-2", "10.42.0.6", false));
  env.fake.seed(res::kPods, web_pod("web-3", "", true));                            // no IP yet
  env.fake.seed(res::kPods, web_pod("other", "10.42.0.9", true, {{"app", "db"}}));  // not selected
  json gone = web_pod("web-4", "10.42.0.7", true);
  gone["status"]["phase"] = "Succeeded";
  env.fake.seed(res::kPods, gone);
  start();
  ASSERT_TRUE(InfraEnv::eventually([&] { return endpoints("web").has_value(); }));
  json ep = *endpoints("web");
  EXPECT_EQ(ep["metadata"]["labels"], (json{{"team", "a"}}));
  ASSERT_EQ(ep["subsets"].size(), 1u);
  const json& s = ep["subsets"][0];
  ASSERT_EQ(s["addresses"].size(), 1u);
  EXPECT_EQ(s["addresses"][0]["ip"], "10.42.0.5");
  EXPECT_EQ(s["addresses"][0]["nodeName"], "n1");
  EXPECT_EQ(s["addresses"][0]["targetRef"],
            (json{{"kind", "Pod"}, {"namespace", "default"}, {"name", "web-1"}, {"uid", ready["metadata"]["uid"]}}));
  ASSERT_EQ(s["notReadyAddresses"].size(), 1u);
  EXPECT_EQ(s["notReadyAddresses"][0]["ip"], "10.42.0.6");
  EXPECT_EQ(s["ports"], (json::array({{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}})));
}

TEST_F(EndpointsTest, FollowsPodReadinessAndDeletion) {
  env.fake.seed(res::kServices, service("web", kWebSpec));
  env.fake.seed(res::kPods, web_pod("web-1", "10.42.0.5", false));
  start();
  ASSERT_TRUE(InfraEnv::eventually([&] {
    auto ep = endpoints("web");
    return ep && ep->contains("subsets") && (*ep)["subsets"][0].contains("notReadyAddresses");
  }));
  json p = *env.find(res::kPods, "default", "web-1");
  p["status"]["conditions"][0]["status"] = "True";
  ASSERT_TRUE(env.fake.update(res::kPods, p, "status").has_value());
  ASSERT_TRUE(InfraEnv::eventually([&] {
    auto ep = endpoints("web");
    return ep && ep->contains("subsets") && (*ep)["subsets"][0].contains("addresses") &&
           !(*ep)["subsets"][0].contains("notReadyAddresses");
  }));
  ASSERT_TRUE(env.fake.remove(res::kPods, "default", "web-1", {.grace_period_seconds = 0}).has_value());
  EXPECT_TRUE(InfraEnv::eventually([&] {
    auto ep = endpoints("web");
    return ep && !ep->contains("subsets");
  }));
}

TEST_F(EndpointsTest, ServiceWithoutSelectorIsLeftAlone) {
  json spec = kWebSpec;
  spec.erase("selector");
  env.fake.seed(res::kServices, service("external", spec));
  env.fake.seed(res::kPods, web_pod("web-1", "10.42.0.5", true));
  start();
  EXPECT_TRUE(InfraEnv::stays([&] { return !endpoints("external").has_value(); }));
}

TEST_F(EndpointsTest, HeadlessServiceWithoutPortsGetsPortlessSubsetAndHostname) {
  json p = web_pod("web-0", "10.42.0.5", true);
  p["spec"]["hostname"] = "web-0";
  p["spec"]["subdomain"] = "web";
  env.fake.seed(res::kServices, service("web", {{"selector", {{"app", "web"}}}, {"clusterIP", "None"}}));
  env.fake.seed(res::kPods, p);
  start();
  ASSERT_TRUE(InfraEnv::eventually([&] { return endpoints("web").has_value(); }));
  json ep = *endpoints("web");
  EXPECT_EQ(ep["metadata"]["labels"]["service.kubernetes.io/headless"], "");
  ASSERT_EQ(ep["subsets"].size(), 1u);
  EXPECT_FALSE(ep["subsets"][0].contains("ports"));
  EXPECT_EQ(ep["subsets"][0]["addresses"][0]["hostname"], "web-0");
}

TEST_F(EndpointsTest, PublishNotReadyAddressesListsEveryPodAsReady) {
  json spec = kWebSpec;
  spec["publishNotReadyAddresses"] = true;
  env.fake.seed(res::kServices, service("web", spec));
  env.fake.seed(res::kPods, web_pod("web-1", "10.42.0.5", false));
  start();
  ASSERT_TRUE(InfraEnv::eventually([&] { return endpoints("web").has_value(); }));
  json s = (*endpoints("web"))["subsets"][0];
  EXPECT_EQ(s["addresses"][0]["ip"], "10.42.0.5");
  EXPECT_FALSE(s.contains("notReadyAddresses"));
}

TEST_F(EndpointsTest, PodWithoutTheNamedPortIsLeftOut) {
  env.fake.seed(res::kServices, service("web", kWebSpec));
  json p = web_pod("web-1", "10.42.0.5", true);
  p["spec"]["containers"][0]["ports"][0]["name"] = "metrics";
  env.fake.seed(res::kPods, p);
  env.fake.seed(res::kPods, web_pod("web-2", "10.42.0.6", true));
  start();
  ASSERT_TRUE(InfraEnv::eventually([&] { return endpoints("web").has_value(); }));
  json s = (*endpoints("web"))["subsets"];
  ASSERT_EQ(s.size(), 1u);
  ASSERT_EQ(s[0]["addresses"].size(), 1u);
  EXPECT_EQ(s[0]["addresses"][0]["ip"], "10.42.0.6");
}

TEST_F(EndpointsTest, DeletingTheServiceDeletesItsEndpoints) {
  env.fake.seed(res::kServices, service("web", kWebSpec));
  start();
  ASSERT_TRUE(InfraEnv::eventually([&] { return endpoints("web").has_value(); }));
  ASSERT_TRUE(env.fake.remove(res::kServices, "default", "web").has_value());
  EXPECT_TRUE(InfraEnv::eventually([&] { return !endpoints("web").has_value(); }));
}

}  // namespace
}  // namespace kite::controllers::testing
