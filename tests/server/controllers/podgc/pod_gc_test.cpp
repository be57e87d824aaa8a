#include "server/controllers/podgc/pod_gc.h"

#include <gtest/gtest.h>

#include "tests/server/controllers/garbagecollector/infra_env.h"

namespace kite::controllers::testing {
namespace {

using namespace std::chrono_literals;

json pod(const std::string& name, const std::string& node_name, const std::string& phase = "Running") {
  json p = {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", name}, {"namespace", "default"}}},
            {"spec", {{"containers", json::array({{{"name", "c"}, {"image", "busybox"}}})}}},
            {"status", {{"phase", phase}}}};
  if (!node_name.empty()) p["spec"]["nodeName"] = node_name;
  return p;
}

class PodGCTest : public ::testing::Test {
 protected:
  podgc::PodGC* start(size_t threshold = podgc::kTerminatedPodThreshold) {
    return env.start(std::make_unique<podgc::PodGC>(env.ctx, threshold));
  }
  bool exists(const std::string& name) { return env.find(res::kPods, "default", name).has_value(); }
  InfraEnv env;
};

TEST_F(PodGCTest, PodsOfADeletedNodeAreForceDeletedAfterTheQuarantine) {
  env.fake.seed(res::kNodes, {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", "here"}}}});
  env.fake.seed(res::kPods, pod("orphan", "gone"));
  env.fake.seed(res::kPods, pod("fine", "here"));
  auto* gc = start();
  gc->run_once();
  EXPECT_TRUE(exists("orphan"));  // the node may only be late in the cache
  env.clock.advance(41s);
  gc->run_once();
  EXPECT_FALSE(exists("orphan"));
  EXPECT_TRUE(exists("fine"));
  // It was marked Failed with the DisruptionTarget condition before the force delete.
  bool marked = false;
  for (const auto& a : env.fake.actions()) {
    if (a.verb == "update-status" && a.name == "orphan") {
      marked = a.object["status"]["phase"] == "Failed" &&
               a.object["status"]["conditions"].back()["reason"] == "DeletionByPodGC";
    }
  }
  EXPECT_TRUE(marked);
}

TEST_F(PodGCTest, UnscheduledTerminatingPodsAreForceDeleted) {
  json p = pod("stuck", "");
  p["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  p["metadata"]["deletionGracePeriodSeconds"] = 30;
  env.fake.seed(res::kPods, p);
  env.fake.seed(res::kPods, pod("pending", ""));
  auto* gc = start();
  gc->run_once();
  EXPECT_FALSE(exists("stuck"));
  EXPECT_TRUE(exists("pending"));
}

TEST_F(PodGCTest, TerminatedPodsBeyondTheThresholdGoOldestFirst) {
  env.fake.seed(res::kNodes, {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", "n"}}}});
  for (int i = 0; i < 4; ++i) {
    json p = pod("done-" + std::to_string(i), "n", "Succeeded");
    p["metadata"]["creationTimestamp"] = "2026-01-01T00:00:0" + std::to_string(i) + "Z";
    env.fake.seed(res::kPods, p);
  }
  auto* gc = start(2);
  gc->run_once();
  EXPECT_FALSE(exists("done-0"));
  EXPECT_FALSE(exists("done-1"));
  EXPECT_TRUE(exists("done-2"));
  EXPECT_TRUE(exists("done-3"));
}

}  // namespace
}  // namespace kite::controllers::testing
