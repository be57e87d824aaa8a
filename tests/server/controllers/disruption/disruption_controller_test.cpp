#include "server/controllers/disruption/disruption_controller.h"

#include <gtest/gtest.h>

#include "base/ids.h"
#include "server/controllers/disruption/pdb_status.h"
#include "tests/server/controllers/garbagecollector/infra_env.h"

namespace kite::controllers::testing {
namespace {

json pdb(json spec_extra) {
  json spec = {{"selector", {{"matchLabels", {{"app", "web"}}}}}};
  spec.update(spec_extra);
  return {{"apiVersion", "policy/v1"},
          {"kind", "PodDisruptionBudget"},
          {"metadata", {{"name", "web"}, {"namespace", "default"}, {"generation", 1}}},
          {"spec", spec}};
}

json pod(const std::string& name, bool ready, json owners = json::array()) {
  json p = {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", {{"app", "web"}}}}},
            {"spec", {{"containers", json::array({{{"name", "c"}, {"image", "busybox"}}})}}},
            {"status",
             {{"phase", "Running"}, {"conditions", json::array({{{"type", "Ready"}, {"status", ready ? "True" : "False"}}})}}}};
  if (!owners.empty()) p["metadata"]["ownerReferences"] = owners;
  return p;
}

class DisruptionTest : public ::testing::Test {
 protected:
  json status() {
    auto p = env.find(res::kPodDisruptionBudgets, "default", "web");
    return p ? p->value("status", json::object()) : json::object();
  }
  bool observed() {
    return InfraEnv::eventually([&] { return status().value("observedGeneration", 0) == 1; });
  }
  json condition() {
    for (const auto& c : status().value("conditions", json::array())) {
      if (c["type"] == "DisruptionAllowed") return c;
    }
    return nullptr;
  }
  InfraEnv env;
};

TEST_F(DisruptionTest, MinAvailableIntegerCountsReadyPods) {
  env.fake.seed(res::kPodDisruptionBudgets, pdb({{"minAvailable", 2}}));
  env.fake.seed(res::kPods, pod("a", true));
  env.fake.seed(res::kPods, pod("b", true));
  env.fake.seed(res::kPods, pod("c", true));
  env.fake.seed(res::kPods, pod("d", false));
  env.start(make_disruption_controller(env.ctx));
  ASSERT_TRUE(observed());
  json s = status();
  EXPECT_EQ(s["currentHealthy"], 3);
  EXPECT_EQ(s["desiredHealthy"], 2);
  EXPECT_EQ(s["expectedPods"], 4);
  EXPECT_EQ(s["disruptionsAllowed"], 1);
  EXPECT_EQ(condition()["status"], "True");
  EXPECT_EQ(condition()["reason"], "SufficientPods");
  // A pod becoming unready uses the budget up.
  json a = *env.find(res::kPods, "default", "a");
  a["status"]["conditions"][0]["status"] = "False";
  ASSERT_TRUE(env.fake.update(res::kPods, a, "status").has_value());
  EXPECT_TRUE(InfraEnv::eventually([&] { return status()["disruptionsAllowed"] == 0; }));
  EXPECT_EQ(condition()["reason"], "InsufficientPods");
  EXPECT_EQ(condition()["status"], "False");
}

TEST_F(DisruptionTest, PercentagesScaleOnTheDeploymentsReplicas) {
  json d = env.fake.seed(res::kDeployments, {{"apiVersion", "apps/v1"},
                                             {"kind", "Deployment"},
                                             {"metadata", {{"name", "web"}, {"namespace", "default"}}},
                                             {"spec", {{"replicas", 4}}}});
  json rs = env.fake.seed(res::kReplicaSets,
                          {{"apiVersion", "apps/v1"},
                           {"kind", "ReplicaSet"},
                           {"metadata", {{"name", "web-1"}, {"namespace", "default"}, {"ownerReferences", json::array({owner_ref(d)})}}},
                           {"spec", {{"replicas", 4}}}});
  env.fake.seed(res::kPodDisruptionBudgets, pdb({{"maxUnavailable", "25%"}}));
  for (const char* n : {"a", "b", "c"}) env.fake.seed(res::kPods, pod(n, true, json::array({owner_ref(rs)})));
  env.start(make_disruption_controller(env.ctx));
  ASSERT_TRUE(observed());
  json s = status();
  EXPECT_EQ(s["expectedPods"], 4);
  EXPECT_EQ(s["desiredHealthy"], 3);
  EXPECT_EQ(s["currentHealthy"], 3);
  EXPECT_EQ(s["disruptionsAllowed"], 0);
}

TEST_F(DisruptionTest, PercentageOverPodsWithAMissingControllerFailsTheSync) {
  json ghost = {{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}, {"metadata", {{"name", "x"}, {"uid", "gone"}}}};
  env.fake.seed(res::kPodDisruptionBudgets, pdb({{"minAvailable", "50%"}}));
  env.fake.seed(res::kPods, pod("a", true, json::array({owner_ref(ghost)})));
  env.start(make_disruption_controller(env.ctx));
  ASSERT_TRUE(observed());
  EXPECT_EQ(status()["disruptionsAllowed"], 0);
  EXPECT_EQ(condition()["reason"], "SyncFailed");
  EXPECT_NE(condition()["message"].get<std::string>().find("found no controllers for pod"), std::string::npos);
}

TEST(PdbStatus, PodsBeingEvictedAreNotHealthyUntilTheEntryExpires) {
  auto now = std::chrono::system_clock::now();
  json budget = pdb({{"minAvailable", 1}});
  budget["status"]["disruptedPods"] = {{"a", base::rfc3339(now - std::chrono::seconds(30))},
                                       {"b", base::rfc3339(now - std::chrono::minutes(5))}};
  std::vector<client::ObjectPtr> pods = {std::make_shared<const json>(pod("a", true)),
                                         std::make_shared<const json>(pod("b", true))};
  auto c = disruption::compute_counts(budget, pods, nullptr, now);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->current_healthy, 1);  // a is being evicted, b's entry expired
  EXPECT_EQ(c->disruptions_allowed, 0);
  EXPECT_EQ(c->disrupted_pods.size(), 1u);
  EXPECT_TRUE(c->disrupted_pods.contains("a"));
}

TEST(PdbStatus, ScaledValuesRoundUp) {
  EXPECT_EQ(*disruption::scaled_value(json("50%"), 3, true), 2);
  EXPECT_EQ(*disruption::scaled_value(json(2), 3, true), 2);
  EXPECT_FALSE(disruption::scaled_value(json("half"), 3, true).has_value());
}

}  // namespace
}  // namespace kite::controllers::testing
