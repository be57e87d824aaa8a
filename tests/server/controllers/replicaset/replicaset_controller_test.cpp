#include "server/controllers/replicaset/replicaset_controller.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/server/controllers/replicaset/workload_env.h"

namespace kite::controllers::testing {
namespace {

json make_rs(const std::string& name, int replicas, int min_ready = 0) {
  json labels = {{"app", name}};
  return json{{"apiVersion", "apps/v1"},
              {"kind", "ReplicaSet"},
              {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", labels}}},
              {"spec",
               {{"replicas", replicas},
                {"minReadySeconds", min_ready},
                {"selector", {{"matchLabels", labels}}},
                {"template", pod_template(labels)}}}};
}

json make_pod(const std::string& name, const json& labels) {
  return json{{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", labels}}},
              {"spec", {{"containers", json::array({{{"name", "app"}, {"image", "app:v1"}}})}}}};
}

class ReplicaSetTest : public ::testing::Test {
 protected:
  void SetUp() override { env.start(/*with_deployments=*/false); }
  json scale(const std::string& name, int replicas) {
    json rs = env.get(res::kReplicaSets, "default", name);
    rs["spec"]["replicas"] = replicas;
    auto updated = env.fake.update(res::kReplicaSets, rs);
    EXPECT_TRUE(updated.has_value());
    return *updated;
  }
  WorkloadEnv env;
};

TEST_F(ReplicaSetTest, CreatesMissingPodsFromTemplateWithControllerRef) {
  json rs = env.fake.seed(res::kReplicaSets, make_rs("web", 3));
  ASSERT_TRUE(env.sync_rs("default/web").has_value());
  auto pods = env.pods();
  ASSERT_EQ(pods.size(), 3u);
  std::set<std::string> names;
  for (auto& p : pods) {
    names.insert(p["metadata"]["name"].get<std::string>());
    EXPECT_EQ(p["metadata"]["generateName"], "web-");
    EXPECT_EQ(p["metadata"]["labels"]["app"], "web");
    EXPECT_EQ(p["spec"]["containers"][0]["image"], "app:v1");
    ASSERT_EQ(p["metadata"]["ownerReferences"].size(), 1u);
    const json& ref = p["metadata"]["ownerReferences"][0];
    EXPECT_EQ(ref["kind"], "ReplicaSet");
    EXPECT_EQ(ref["apiVersion"], "apps/v1");
    EXPECT_EQ(ref["name"], "web");
    EXPECT_EQ(ref["uid"], rs["metadata"]["uid"]);
    EXPECT_EQ(ref["controller"], true);
    EXPECT_EQ(ref["blockOwnerDeletion"], true);
  }
  EXPECT_EQ(names.size(), 3u);
  // Re-syncing does not create more, and status reports the pods.
  ASSERT_TRUE(env.sync_rs("default/web").has_value());
  EXPECT_EQ(env.pods().size(), 3u);
  json stored = env.get(res::kReplicaSets, "default", "web");
  EXPECT_EQ(stored["status"]["replicas"], 3);
  EXPECT_EQ(stored["status"]["fullyLabeledReplicas"], 3);
  EXPECT_EQ(stored["status"]["observedGeneration"], stored["metadata"]["generation"]);
  EXPECT_TRUE(env.has_event("SuccessfulCreate", "Created pod: web-"));
}

TEST_F(ReplicaSetTest, ExpectationsPreventDoubleCreationBeforeCacheCatchesUp) {
  env.fake.seed(res::kReplicaSets, make_rs("web", 2));
  env.settle();
  ASSERT_TRUE(env.rsc->sync("default/web").has_value());
  // Immediately again, without waiting for the pod informer: either the cache already shows
  // the pods or the expectations hold the sync back; never four pods.
  ASSERT_TRUE(env.rsc->sync("default/web").has_value());
  EXPECT_EQ(env.pods().size(), 2u);
}

TEST_F(ReplicaSetTest, ScaleDownDeletesLeastEstablishedPodsFirst) {
  json rs = env.fake.seed(res::kReplicaSets, make_rs("web", 3));
  ASSERT_TRUE(env.sync_rs("default/web").has_value());
  auto pods = env.pods();
  ASSERT_EQ(pods.size(), 3u);
  // pods[0]: running+ready on node a; pods[1]: pending on node b; pods[2]: unscheduled.
  json p0 = pods[0];
  p0["spec"]["nodeName"] = "a";
  ASSERT_TRUE(env.fake.update(res::kPods, p0).has_value());
  env.set_ready(env.get(res::kPods, "default", p0["metadata"]["name"]));
  json p1 = pods[1];
  p1["spec"]["nodeName"] = "b";
  ASSERT_TRUE(env.fake.update(res::kPods, p1).has_value());
  json p1s = env.get(res::kPods, "default", p1["metadata"]["name"]);
  p1s["status"] = {{"phase", "Pending"}};
  ASSERT_TRUE(env.fake.update(res::kPods, p1s, "status").has_value());

  scale("web", 2);
  ASSERT_TRUE(env.sync_rs("default/web").has_value());
  auto left = env.pods();
  ASSERT_EQ(left.size(), 2u);
  std::set<std::string> names;
  for (auto& p : left) names.insert(p["metadata"]["name"]);
  EXPECT_FALSE(names.count(pods[2]["metadata"]["name"])) << "the unscheduled pod goes first";

  scale("web", 1);
  ASSERT_TRUE(env.sync_rs("default/web").has_value());
  left = env.pods();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]["metadata"]["name"], pods[0]["metadata"]["name"]) << "the ready running pod stays";
  EXPECT_TRUE(env.has_event("SuccessfulDelete", "Deleted pod: "));
  ASSERT_TRUE(env.sync_rs("default/web").has_value());
  EXPECT_EQ(env.get(res::kReplicaSets, "default", "web")["status"]["replicas"], 1);
}

TEST_F(ReplicaSetTest, AdoptsMatchingOrphansAndReleasesPodsThatStopMatching) {
  json rs = env.fake.seed(res::kReplicaSets, make_rs("web", 2));
  env.fake.seed(res::kPods, make_pod("orphan", {{"app", "web"}}));
  env.fake.seed(res::kPods, make_pod("stranger", {{"app", "other"}}));
  json foreign = make_pod("foreign", {{"app", "web"}});
  foreign["metadata"]["ownerReferences"] = json::array(
      {{{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}, {"name", "x"}, {"uid", "other-uid"}, {"controller", true}}});
  env.fake.seed(res::kPods, foreign);

  ASSERT_TRUE(env.sync_rs("default/web").has_value());
  json orphan = env.get(res::kPods, "default", "orphan");
  ASSERT_TRUE(orphan["metadata"].contains("ownerReferences"));
  EXPECT_EQ(orphan["metadata"]["ownerReferences"][0]["uid"], rs["metadata"]["uid"]);
  EXPECT_EQ(orphan["metadata"]["ownerReferences"][0]["controller"], true);
  EXPECT_FALSE(env.get(res::kPods, "default", "stranger")["metadata"].contains("ownerReferences"));
  EXPECT_EQ(env.get(res::kPods, "default", "foreign")["metadata"]["ownerReferences"][0]["uid"], "other-uid");
  // One adopted + one created = 2 owned pods (the foreign one does not count).
  EXPECT_EQ(env.pods_of(rs).size(), 2u);

  // Relabel the adopted pod: it is released and replaced.
  orphan["metadata"]["labels"]["app"] = "gone";
  ASSERT_TRUE(env.fake.update(res::kPods, orphan).has_value());
  ASSERT_TRUE(env.sync_rs("default/web").has_value());
  json released = env.get(res::kPods, "default", "orphan");
  EXPECT_FALSE(released["metadata"].contains("ownerReferences") &&
               !released["metadata"]["ownerReferences"].empty());
  ASSERT_TRUE(env.sync_rs("default/web").has_value());
  EXPECT_EQ(env.pods_of(rs).size(), 2u);
}

TEST_F(ReplicaSetTest, StatusCountsReadyAndAvailableWithMinReadySeconds) {
  env.fake.seed(res::kReplicaSets, make_rs("web", 2, /*min_ready=*/10));
  ASSERT_TRUE(env.sync_rs("default/web").has_value());
  env.make_all_ready();  // ready since clock.now()
  ASSERT_TRUE(env.sync_rs("default/web").has_value());
  json status = env.get(res::kReplicaSets, "default", "web")["status"];
  EXPECT_EQ(status.value("readyReplicas", 0), 2);
  EXPECT_EQ(status.value("availableReplicas", 0), 0) << "not ready for minReadySeconds yet";

  env.clock.advance(std::chrono::seconds(11));
  ASSERT_TRUE(env.sync_rs("default/web").has_value());
  status = env.get(res::kReplicaSets, "default", "web")["status"];
  EXPECT_EQ(status.value("readyReplicas", 0), 2);
  EXPECT_EQ(status.value("availableReplicas", 0), 2);
  EXPECT_EQ(status.value("fullyLabeledReplicas", 0), 2);
}

TEST_F(ReplicaSetTest, CreateErrorsSetReplicaFailureAndSlowStartStopsEarly) {
  env.fake.seed(res::kReplicaSets, make_rs("web", 5));
  env.fake.fail("create", "pods", base::Status(base::Reason::Forbidden, "exceeded quota: pods"));
  env.fake.clear_actions();
  EXPECT_FALSE(env.sync_rs("default/web").has_value());
  int creates = 0;
  for (auto& a : env.fake.actions())
    if (a.verb == "create" && a.resource == "pods") ++creates;
  EXPECT_EQ(creates, 1) << "slow start: one failed call, not five";
  json status = env.get(res::kReplicaSets, "default", "web")["status"];
  ASSERT_TRUE(status.contains("conditions"));
  EXPECT_EQ(status["conditions"][0]["type"], "ReplicaFailure");
  EXPECT_EQ(status["conditions"][0]["reason"], "FailedCreate");
  EXPECT_NE(status["conditions"][0]["message"].get<std::string>().find("exceeded quota"), std::string::npos);
  EXPECT_TRUE(env.has_event("FailedCreate", "Error creating: "));

  env.fake.clear_failures();
  ASSERT_TRUE(env.sync_rs("default/web").has_value());
  EXPECT_EQ(env.pods().size(), 5u);
  ASSERT_TRUE(env.sync_rs("default/web").has_value());
  status = env.get(res::kReplicaSets, "default", "web")["status"];
  EXPECT_FALSE(status.contains("conditions"));
  EXPECT_EQ(status["replicas"], 5);
}

TEST_F(ReplicaSetTest, DeletedReplicaSetIsIgnored) {
  EXPECT_TRUE(env.sync_rs("default/missing").has_value());
  EXPECT_TRUE(env.pods().empty());
}

}  // namespace
}  // namespace kite::controllers::testing
