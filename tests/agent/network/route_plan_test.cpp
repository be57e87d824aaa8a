#include "agent/network/route_plan.h"

#include <gtest/gtest.h>

namespace kite::agent::network {
namespace {

nlohmann::json node(const std::string& name, const std::string& cidr, const std::string& ip) {
  nlohmann::json n = {{"metadata", {{"name", name}}}, {"spec", nlohmann::json::object()}, {"status", nlohmann::json::object()}};
  if (!cidr.empty()) {
    n["spec"]["podCIDR"] = cidr;
    n["spec"]["podCIDRs"] = {cidr};
  }
  if (!ip.empty())
    n["status"]["addresses"] = {{{"type", "Hostname"}, {"address", name}}, {{"type", "InternalIP"}, {"address", ip}}};
  return n;
}

TEST(RoutePlan, DesiredSkipsSelfAndIncompleteNodes) {
  std::vector<nlohmann::json> nodes = {node("s0", "10.42.0.0/24", "172.31.250.10"),
                                       node("rp1", "10.42.1.0/24", "172.31.250.11"),
                                       node("rp2", "", "172.31.250.12"),   // no podCIDR yet
                                       node("rp3", "10.42.3.0/24", "")};   // no InternalIP yet
  auto routes = desired_routes(nodes, "s0");
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes[0], (Route{"10.42.1.0/24", "172.31.250.11"}));
}

TEST(RoutePlan, DesiredPrefersIpv4PodCidrs) {
  auto n = node("a", "", "10.0.0.5");
  n["spec"]["podCIDRs"] = {"fd00::/64", "10.42.7.0/24"};
  auto routes = desired_routes({n}, "self");
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes[0].dst, "10.42.7.0/24");
}

TEST(RoutePlan, PlanAddsChangesAndRemoves) {
  std::vector<Route> desired = {{"10.42.1.0/24", "172.31.250.11"}, {"10.42.2.0/24", "172.31.250.12"},
                                {"10.42.3.0/24", "172.31.250.13"}};
  std::vector<Route> current = {{"10.42.1.0/24", "172.31.250.11"},   // unchanged
                                {"10.42.2.0/24", "172.31.250.99"},   // node IP changed
                                {"10.42.9.0/24", "172.31.250.19"}};  // node gone
  auto plan = plan_routes(desired, current);
  EXPECT_EQ(plan.replace, (std::vector<Route>{{"10.42.2.0/24", "172.31.250.12"}, {"10.42.3.0/24", "172.31.250.13"}}));
  EXPECT_EQ(plan.remove, (std::vector<Route>{{"10.42.9.0/24", "172.31.250.19"}}));
}

TEST(RoutePlan, NothingToDoWhenInSync) {
  std::vector<Route> r = {{"10.42.1.0/24", "172.31.250.11"}};
  auto plan = plan_routes(r, r);
  EXPECT_TRUE(plan.replace.empty());
  EXPECT_TRUE(plan.remove.empty());
}

}  // namespace
}  // namespace kite::agent::network
