#include "agent/network/netlink_routes.h"

#include <gtest/gtest.h>

#include "tests/agent/network/netns_helper.h"

namespace kite::agent::network {
namespace {

// A namespace with a veth pair (this kernel has no dummy module) on 192.168.77.1/24, so
// 192.168.77.x are valid gateways.
void make_link() {
  ASSERT_EQ(testing::sh("ip link set lo up && ip link add d0 type veth peer name d1 && ip link set d1 up && "
                        "ip addr add 192.168.77.1/24 dev d0 && "
                        "ip link set d0 up"),
            0);
}

TEST(NetlinkRoutes, ReplaceListDeleteInANetns) {
  auto err = testing::run_in_new_netns([] {
    make_link();
    auto empty = list_routes();
    ASSERT_TRUE(empty.has_value()) << empty.error().message();
    EXPECT_TRUE(empty->empty());

    ASSERT_TRUE(replace_route({"10.42.1.0/24", "192.168.77.11"}).has_value());
    ASSERT_TRUE(replace_route({"10.42.2.0/24", "192.168.77.12"}).has_value());
    // A route someone else owns (protocol static) is not listed as kite's.
    ASSERT_EQ(testing::sh("ip route add 10.99.0.0/24 via 192.168.77.50 proto static"), 0);
    auto routes = list_routes();
    ASSERT_TRUE(routes.has_value());
    EXPECT_EQ(*routes, (std::vector<Route>{{"10.42.1.0/24", "192.168.77.11"}, {"10.42.2.0/24", "192.168.77.12"}}));
    // ip sees the kite protocol number.
    EXPECT_EQ(testing::sh("ip route show proto 75 | grep -q '10.42.1.0/24 via 192.168.77.11'"), 0);

    // Replace changes the gateway in place.
    auto changed = replace_route({"10.42.1.0/24", "192.168.77.21"});
    ASSERT_TRUE(changed.has_value()) << changed.error().message();
    routes = list_routes();
    ASSERT_TRUE(routes.has_value());
    EXPECT_EQ(routes->front(), (Route{"10.42.1.0/24", "192.168.77.21"}));
    EXPECT_EQ(routes->size(), 2u);

    ASSERT_TRUE(delete_route({"10.42.1.0/24", "192.168.77.21"}).has_value());
    ASSERT_TRUE(delete_route({"10.42.1.0/24", ""}).has_value());  // already gone: fine
    routes = list_routes();
    ASSERT_TRUE(routes.has_value());
    EXPECT_EQ(*routes, (std::vector<Route>{{"10.42.2.0/24", "192.168.77.12"}}));
    EXPECT_EQ(testing::sh("ip route show 10.99.0.0/24 | grep -q via"), 0);  // untouched
  });
  if (!err.empty()) GTEST_SKIP() << err;
}

TEST(NetlinkRoutes, UnreachableGatewayIsAnError) {
  auto err = testing::run_in_new_netns([] {
    make_link();
    auto r = replace_route({"10.42.1.0/24", "203.0.113.1"});
    EXPECT_FALSE(r.has_value());
    EXPECT_FALSE(replace_route({"not-a-cidr", "192.168.77.2"}).has_value());
  });
  if (!err.empty()) GTEST_SKIP() << err;
}

}  // namespace
}  // namespace kite::agent::network
