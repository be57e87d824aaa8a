#include "agent/network/pod_network.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "agent/network/netlink_routes.h"
#include "client/fake_client.h"
#include "client/resource_ref.h"
#include "tests/agent/network/netns_helper.h"

namespace kite::agent::network {
namespace {

using client::resources::kNodes;

nlohmann::json node(const std::string& name, const std::string& cidr, const std::string& ip) {
  nlohmann::json n = {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", name}}}, {"spec", nlohmann::json::object()}};
  if (!cidr.empty()) n["spec"] = {{"podCIDR", cidr}, {"podCIDRs", {cidr}}};
  n["status"] = {{"addresses", {{{"type", "InternalIP"}, {"address", ip}}}}};
  return n;
}

template <typename F>
bool eventually(F f, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return f();
}

class PodNetworkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("kite-podnet-" + std::to_string(::getpid()));
    conf_dir_ = (dir_ / "agent" / "etc" / "cni" / "net.d").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  PodNetworkOptions options() {
    PodNetworkOptions o;
    o.client = &client_;
    o.node_name = "n1";
    o.node_ip = "192.168.77.1";
    o.cni_conf_dir = conf_dir_;
    o.pod_cidr_timeout = std::chrono::seconds(10);
    o.manage_masquerade = ::access("/usr/sbin/nft", X_OK) == 0;
    o.remove_routes_on_stop = true;
    return o;
  }

  client::FakeClient client_;
  std::filesystem::path dir_;
  std::string conf_dir_;
};

TEST_F(PodNetworkTest, WaitsForPodCidrWritesConflistAndKeepsRoutes) {
  client_.seed(kNodes, node("n1", "", "192.168.77.1"));
  client_.seed(kNodes, node("n2", "10.42.2.0/24", "192.168.77.2"));
  auto err = testing::run_in_new_netns([&] {
    ASSERT_EQ(testing::sh("ip link set lo up && ip link add d0 type veth peer name d1 && ip link set d1 up && "
                          "ip addr add 192.168.77.1/24 dev d0 && ip link set d0 up"),
              0);
    PodNetwork net(options());
    // The IPAM controller assigns n1's podCIDR a little later.
    std::thread ipam([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      auto n1 = client_.get(kNodes, "", "n1");
      ASSERT_TRUE(n1.has_value());
      (*n1)["spec"]["podCIDR"] = "10.42.1.0/24";
      (*n1)["spec"]["podCIDRs"] = {"10.42.1.0/24"};
      ASSERT_TRUE(client_.update(kNodes, *n1).has_value());
    });
    auto started = net.start();
    ipam.join();
    ASSERT_TRUE(started.has_value()) << started.error().message();
    EXPECT_TRUE(net.ready());
    EXPECT_EQ(net.pod_cidr(), "10.42.1.0/24");
    std::ifstream f(net.conflist_path());
    auto conf = nlohmann::json::parse(f);
    EXPECT_EQ(conf["plugins"][0]["ipam"]["ranges"][0][0]["subnet"], "10.42.1.0/24");
    EXPECT_EQ(conf["plugins"][0]["ipam"]["dataDir"], (dir_ / "agent" / "cni" / "ipam").string());

    ASSERT_TRUE(eventually([] {
      auto r = list_routes();
      return r && *r == std::vector<Route>{{"10.42.2.0/24", "192.168.77.2"}};
    }));
    if (::access("/usr/sbin/nft", X_OK) == 0) {
      EXPECT_EQ(testing::sh("nft list table ip kite-nat"), 0);
    }

    // A new node gets a route, a node that changes IP gets its route replaced, a deleted node loses it.
    ASSERT_TRUE(client_.create(kNodes, "", node("n3", "10.42.3.0/24", "192.168.77.3")).has_value());
    auto n2 = client_.get(kNodes, "", "n2");
    (*n2)["status"]["addresses"][0]["address"] = "192.168.77.22";
    ASSERT_TRUE(client_.update(kNodes, *n2, "status").has_value());
    ASSERT_TRUE(eventually([] {
      auto r = list_routes();
      return r && *r == std::vector<Route>{{"10.42.2.0/24", "192.168.77.22"}, {"10.42.3.0/24", "192.168.77.3"}};
    }));
    ASSERT_TRUE(client_.remove(kNodes, "", "n2").has_value());
    ASSERT_TRUE(eventually([] {
      auto r = list_routes();
      return r && *r == std::vector<Route>{{"10.42.3.0/24", "192.168.77.3"}};
    }));

    net.stop();
    EXPECT_FALSE(net.ready());
    auto after = list_routes();
    ASSERT_TRUE(after.has_value());
    EXPECT_TRUE(after->empty());
    EXPECT_NE(testing::sh("nft list table ip kite-nat"), 0);
  });
  if (!err.empty()) GTEST_SKIP() << err;
}

TEST_F(PodNetworkTest, TimesOutWithoutPodCidr) {
  client_.seed(kNodes, node("n1", "", "192.168.77.1"));
  auto o = options();
  o.pod_cidr_timeout = std::chrono::milliseconds(300);
  o.manage_masquerade = false;
  o.manage_routes = false;
  PodNetwork net(o);
  auto r = net.start();
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("podCIDR"), std::string::npos);
  EXPECT_FALSE(net.ready());
}

TEST_F(PodNetworkTest, RejectsMissingOptions) {
  PodNetwork net(PodNetworkOptions{});
  EXPECT_FALSE(net.start().has_value());
}

}  // namespace
}  // namespace kite::agent::network

namespace kite::agent::network {
namespace {

TEST_F(PodNetworkTest, StopInterruptsAStartWaitingForPodCidr) {
  client_.seed(kNodes, node("n1", "", "192.168.77.1"));
  auto o = options();
  o.pod_cidr_timeout = std::chrono::minutes(5);
  o.manage_masquerade = false;
  o.manage_routes = false;
  PodNetwork net(o);
  base::Result<void> result;
  std::atomic<bool> done{false};
  std::thread starter([&] {
    result = net.start();
    done = true;
  });
  // A stop() that lands before start() began is a no-op, so stop until start() has returned.
  auto t0 = std::chrono::steady_clock::now();
  while (!done && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10)) {
    net.stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(done.load());
  net.stop();
  starter.join();
  ASSERT_FALSE(result.has_value());
  EXPECT_FALSE(net.ready());
}

}  // namespace
}  // namespace kite::agent::network
