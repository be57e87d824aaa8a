// agent/node/node_heartbeat.h on a FakeClient with a ManualClock: registration, re-registration,
// Lease renewal every 10 s, status on change and every minute.
#include "agent/node/node_heartbeat.h"

#include <gtest/gtest.h>

#include <mutex>

#include "client/fake_client.h"

namespace kite::agent {
namespace {

namespace res = client::resources;
using namespace std::chrono_literals;

class NodeHeartbeatTest : public ::testing::Test {
 protected:
  NodeHeartbeatOptions options() {
    NodeHeartbeatOptions o;
    o.settings.name = "n1";
    o.settings.node_ip = "10.0.0.7";
    o.settings.labels = {"role=edge"};
    o.settings.taints = {"dedicated=gpu:NoSchedule"};
    o.facts.cpus = 2;
    o.facts.memory_bytes = 1 << 30;
    o.facts.architecture = "amd64";
    o.readiness = [this] {
      std::lock_guard lock(mu_);
      return ready_;
    };
    o.runtime_version = [] { return "containerd://1.6.20"; };
    return o;
  }
  void set_ready(Readiness r) {
    std::lock_guard lock(mu_);
    ready_ = std::move(r);
  }
  int count(const std::string& verb, const std::string& resource) {
    int n = 0;
    for (const auto& a : fake_.actions()) n += a.verb == verb && a.resource == resource;
    return n;
  }

  client::FakeClient fake_;
  base::ManualClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000))};
  std::mutex mu_;
  Readiness ready_{false, "container runtime is down"};
};

TEST_F(NodeHeartbeatTest, RegistersNodeStatusAndLease) {
  fake_.use_clock(&clock_);
  NodeHeartbeat hb(fake_, clock_, options());
  ASSERT_TRUE(hb.register_node().has_value());
  auto node = fake_.get(res::kNodes, "", "n1");
  ASSERT_TRUE(node.has_value());
  EXPECT_EQ((*node)["metadata"]["labels"]["role"], "edge");
  EXPECT_EQ((*node)["metadata"]["labels"]["kubernetes.io/hostname"], "n1");
  EXPECT_EQ((*node)["spec"]["taints"][0]["key"], "dedicated");
  EXPECT_EQ((*node)["status"]["nodeInfo"]["containerRuntimeVersion"], "containerd://1.6.20");
  EXPECT_EQ((*node)["status"]["capacity"]["cpu"], "2");
  auto lease = fake_.get(res::kLeases, "kube-node-lease", "n1");
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ((*lease)["spec"]["holderIdentity"], "n1");
  EXPECT_EQ((*lease)["spec"]["leaseDurationSeconds"], 40);
  EXPECT_EQ((*lease)["spec"]["renewTime"], "2027-01-15T08:00:00.000000Z");
  EXPECT_EQ((*lease)["metadata"]["ownerReferences"][0]["kind"], "Node");
  EXPECT_EQ((*lease)["metadata"]["ownerReferences"][0]["uid"], (*node)["metadata"]["uid"]);
  EXPECT_EQ(hb.status_posts(), 1);
  EXPECT_EQ(hb.lease_renewals(), 1);
}

TEST_F(NodeHeartbeatTest, LeaseEveryTenSecondsStatusOnChangeAndEveryMinute) {
  NodeHeartbeat hb(fake_, clock_, options());
  ASSERT_TRUE(hb.register_node().has_value());
  fake_.clear_actions();
  // Nothing is due one second later.
  clock_.advance(1s);
  hb.tick();
  EXPECT_EQ(hb.lease_renewals(), 1);
  EXPECT_EQ(hb.status_posts(), 1);
  // The Lease is renewed every 10 s; the unchanged status waits for the minute.
  for (int i = 0; i < 5; ++i) {
    clock_.advance(10s);
    hb.tick();
  }
  EXPECT_EQ(hb.lease_renewals(), 6);
  EXPECT_EQ(hb.status_posts(), 1);
  EXPECT_EQ(count("update", "leases"), 5);
  auto lease = fake_.get(res::kLeases, "kube-node-lease", "n1");
  EXPECT_EQ((*lease)["spec"]["renewTime"], "2027-01-15T08:00:51.000000Z");
  clock_.advance(10s);  // 61 s after the first post
  hb.tick();
  EXPECT_EQ(hb.status_posts(), 2);
  // A readiness change is posted on the next tick.
  set_ready({true, ""});
  clock_.advance(1s);
  hb.tick();
  EXPECT_EQ(hb.status_posts(), 3);
  auto node = fake_.get(res::kNodes, "", "n1");
  for (const auto& c : (*node)["status"]["conditions"]) {
    if (c["type"] == "Ready") {
      EXPECT_EQ(c["status"], "True");
      EXPECT_EQ(c["reason"], "KubeletReady");
    }
  }
}

TEST_F(NodeHeartbeatTest, LeaseConflictIsReReadAndRetried) {
  NodeHeartbeat hb(fake_, clock_, options());
  ASSERT_TRUE(hb.register_node().has_value());
  // Someone else touches the Lease: our stored copy is stale.
  auto lease = fake_.get(res::kLeases, "kube-node-lease", "n1");
  (*lease)["metadata"]["labels"] = {{"x", "y"}};
  ASSERT_TRUE(fake_.update(res::kLeases, *lease).has_value());
  clock_.advance(10s);
  hb.tick();  // Conflict: logged, forgets the copy
  EXPECT_EQ(hb.lease_renewals(), 1);
  clock_.advance(1s);
  hb.tick();  // re-reads and renews
  EXPECT_EQ(hb.lease_renewals(), 2);
}

TEST_F(NodeHeartbeatTest, ReRegistrationKeepsSpecAndUpdatesLabels) {
  json existing = {{"apiVersion", "v1"},
                   {"kind", "Node"},
                   {"metadata", {{"name", "n1"}, {"labels", {{"keep", "me"}, {"role", "old"}}}}},
                   {"spec", {{"unschedulable", true}, {"podCIDR", "10.42.3.0/24"}}}};
  fake_.seed(res::kNodes, existing);
  NodeHeartbeat hb(fake_, clock_, options());
  ASSERT_TRUE(hb.register_node().has_value());
  auto node = fake_.get(res::kNodes, "", "n1");
  EXPECT_EQ((*node)["metadata"]["labels"]["keep"], "me");
  EXPECT_EQ((*node)["metadata"]["labels"]["role"], "edge");
  EXPECT_EQ((*node)["spec"]["unschedulable"], true);
  EXPECT_EQ((*node)["spec"]["podCIDR"], "10.42.3.0/24");
  EXPECT_FALSE((*node)["spec"].contains("taints"));
  EXPECT_TRUE((*node)["status"].contains("nodeInfo"));
}

TEST_F(NodeHeartbeatTest, RegistrationErrorsAndBadSettings) {
  fake_.fail("create", "nodes", base::Status(base::Reason::Forbidden, "nope"));
  NodeHeartbeat hb(fake_, clock_, options());
  auto r = hb.register_node();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason(), base::Reason::Forbidden);
  fake_.clear_failures();
  auto o = options();
  o.settings.taints = {"bad"};
  NodeHeartbeat bad(fake_, clock_, o);
  EXPECT_EQ(bad.register_node().error().reason(), base::Reason::BadRequest);
}

TEST_F(NodeHeartbeatTest, ThreadTicks) {
  auto o = options();
  o.tick_interval = std::chrono::milliseconds(5);
  NodeHeartbeat hb(fake_, clock_, o);
  ASSERT_TRUE(hb.register_node().has_value());
  hb.start();
  clock_.advance(11s);
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (hb.lease_renewals() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  hb.stop();
  EXPECT_GE(hb.lease_renewals(), 2);
}

}  // namespace
}  // namespace kite::agent
