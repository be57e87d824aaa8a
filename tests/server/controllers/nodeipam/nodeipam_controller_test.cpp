#include "server/controllers/nodeipam/nodeipam_controller.h"

#include <gtest/gtest.h>

#include <set>

#include "server/controllers/nodeipam/cidr_set.h"
#include "tests/server/controllers/garbagecollector/infra_env.h"

namespace kite::controllers::testing {
namespace {

json node(const std::string& name, const std::string& cidr = "") {
  json n = {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", name}}}, {"spec", json::object()}};
  if (!cidr.empty()) {
    n["spec"]["podCIDR"] = cidr;
    n["spec"]["podCIDRs"] = json::array({cidr});
  }
  return n;
}

class NodeIpamTest : public ::testing::Test {
 protected:
  std::string cidr_of(const std::string& name) {
    auto n = env.find(res::kNodes, "", name);
    return n ? (*n)["spec"].value("podCIDR", "") : "";
  }
  bool assigned(const std::string& name) {
    return InfraEnv::eventually([&] { return !cidr_of(name).empty(); });
  }
  InfraEnv env;
};

TEST_F(NodeIpamTest, AssignsDistinctSubnetsSkippingOnesAlreadyTaken) {
  env.fake.seed(res::kNodes, node("old", "10.42.0.0/24"));
  env.fake.seed(res::kNodes, node("a"));
  env.fake.seed(res::kNodes, node("b"));
  env.start(make_nodeipam_controller(env.ctx));
  ASSERT_TRUE(assigned("a"));
  ASSERT_TRUE(assigned("b"));
  std::set<std::string> all = {cidr_of("old"), cidr_of("a"), cidr_of("b")};
  EXPECT_EQ(all, (std::set<std::string>{"10.42.0.0/24", "10.42.1.0/24", "10.42.2.0/24"}));
  auto a = *env.find(res::kNodes, "", "a");
  EXPECT_EQ(a["spec"]["podCIDRs"], json::array({cidr_of("a")}));
}

TEST_F(NodeIpamTest, ReleasesTheSubnetOfADeletedNode) {
  env.ctx.settings.cluster_cidr = "10.42.0.0/23";  // room for two /24s
  env.fake.seed(res::kNodes, node("a"));
  env.fake.seed(res::kNodes, node("b"));
  env.start(make_nodeipam_controller(env.ctx));
  ASSERT_TRUE(assigned("a"));
  ASSERT_TRUE(assigned("b"));
  std::string freed = cidr_of("a");
  ASSERT_TRUE(env.fake.remove(res::kNodes, "", "a").has_value());
  ASSERT_TRUE(env.fake.create(res::kNodes, "", node("c")).has_value());
  ASSERT_TRUE(assigned("c"));
  EXPECT_EQ(cidr_of("c"), freed);
}

TEST(CidrSet, AllocatesInOrderAndKnowsItsRange) {
  auto set = nodeipam::CidrSet::create("10.42.0.0/16", 24);
  ASSERT_TRUE(set.has_value());
  EXPECT_EQ((*set)->capacity(), 256u);
  EXPECT_TRUE((*set)->occupy("10.42.0.0/24"));
  EXPECT_FALSE((*set)->occupy("10.43.0.0/24"));
  EXPECT_FALSE((*set)->occupy("10.42.0.0/25"));
  EXPECT_EQ((*set)->allocate(), "10.42.1.0/24");
  EXPECT_EQ((*set)->allocate(), "10.42.2.0/24");
  EXPECT_FALSE(nodeipam::CidrSet::create("10.42.0.0/16", 8).has_value());
  EXPECT_FALSE(nodeipam::CidrSet::create("fd00::/64", 80).has_value());
  auto tiny = nodeipam::CidrSet::create("10.0.0.0/24", 25);
  ASSERT_TRUE(tiny.has_value());
  EXPECT_EQ((*tiny)->allocate(), "10.0.0.0/25");
  EXPECT_EQ((*tiny)->allocate(), "10.0.0.128/25");
  EXPECT_FALSE((*tiny)->allocate().has_value());
}

}  // namespace
}  // namespace kite::controllers::testing
