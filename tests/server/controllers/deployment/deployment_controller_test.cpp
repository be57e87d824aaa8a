#include "server/controllers/deployment/deployment_controller.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "server/controllers/deployment/deployment_util.h"
#include "tests/server/controllers/replicaset/workload_env.h"

namespace kite::controllers::testing {
namespace {

using deployment::kRevisionAnnotation;

json make_deployment(const std::string& name, int replicas, json strategy, int progress_deadline = 600) {
  json labels = {{"app", name}};
  return json{{"apiVersion", "apps/v1"},
              {"kind", "Deployment"},
              {"metadata", {{"name", name}, {"namespace", "default"}}},
              {"spec",
               {{"replicas", replicas},
                {"selector", {{"matchLabels", labels}}},
                {"template", pod_template(labels)},
                {"strategy", std::move(strategy)},
                {"revisionHistoryLimit", 10},
                {"progressDeadlineSeconds", progress_deadline}}}};
}

json rolling(json surge, json unavailable) {
  return {{"type", "RollingUpdate"}, {"rollingUpdate", {{"maxSurge", surge}, {"maxUnavailable", unavailable}}}};
}

class DeploymentTest : public ::testing::Test {
 protected:
  void SetUp() override { env.start(); }

  json deploy() { return env.get(res::kDeployments, "default", "web"); }
  // Created through the API (as kubectl would), so the stored object carries the defaults.
  json create_deployment(const json& d) {
    auto created = env.fake.create(res::kDeployments, "default", d);
    EXPECT_TRUE(created.has_value());
    return created ? *created : json();
  }
  // Applies `change` to the stored deployment's spec (as kubectl would).
  void edit(const std::function<void(json&)>& change) {
    json d = deploy();
    change(d);
    ASSERT_TRUE(env.fake.update(res::kDeployments, d).has_value());
  }
  void set_image(const std::string& image) {
    edit([&](json& d) { d["spec"]["template"]["spec"]["containers"][0]["image"] = image; });
  }
  // ReplicaSets sorted by revision.
  std::vector<json> replicasets() {
    auto rss = env.replicasets();
    std::sort(rss.begin(), rss.end(), [](const json& a, const json& b) {
      return std::stoi(a["metadata"]["annotations"][kRevisionAnnotation].get<std::string>()) <
             std::stoi(b["metadata"]["annotations"][kRevisionAnnotation].get<std::string>());
    });
    return rss;
  }
  static int64_t replicas(const json& rs) { return rs["spec"]["replicas"].get<int64_t>(); }
  static const json* condition(const json& d, const std::string& type) {
    if (!d.contains("status") || !d["status"].contains("conditions")) return nullptr;
    for (const auto& c : d["status"]["conditions"])
      if (c["type"] == type) return &c;
    return nullptr;
  }
  static std::string progressing_reason(const json& d) {
    const json* c = condition(d, "Progressing");
    return c ? c->value("reason", "") : "";
  }

  WorkloadEnv env;
};

TEST_F(DeploymentTest, CreatesNewReplicaSetWithHashNameAndRevision) {
  json d = create_deployment(make_deployment("web", 3, rolling("25%", "25%")));
  ASSERT_TRUE(env.sync_deployment("default/web").has_value());
  auto rss = env.replicasets();
  ASSERT_EQ(rss.size(), 1u);
  const json& rs = rss[0];
  const std::string hash = rs["metadata"]["labels"]["pod-template-hash"];
  EXPECT_FALSE(hash.empty());
  EXPECT_EQ(rs["metadata"]["name"], "web-" + hash);
  EXPECT_EQ(hash.find_first_not_of("bcdfghjklmnpqrstvwxz2456789"), std::string::npos);
  EXPECT_EQ(rs["spec"]["selector"]["matchLabels"]["pod-template-hash"], hash);
  EXPECT_EQ(rs["spec"]["template"]["metadata"]["labels"]["pod-template-hash"], hash);
  EXPECT_EQ(replicas(rs), 3);
  EXPECT_EQ(rs["metadata"]["annotations"][kRevisionAnnotation], "1");
  EXPECT_EQ(rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"], "3");
  EXPECT_EQ(rs["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"], "4");
  EXPECT_EQ(rs["metadata"]["ownerReferences"][0]["uid"], d["metadata"]["uid"]);
  EXPECT_EQ(rs["metadata"]["ownerReferences"][0]["kind"], "Deployment");
  EXPECT_EQ(rs["metadata"]["ownerReferences"][0]["blockOwnerDeletion"], true);
  EXPECT_EQ(deploy()["metadata"]["annotations"][kRevisionAnnotation], "1");
  EXPECT_EQ(progressing_reason(deploy()), "NewReplicaSetCreated");
  EXPECT_TRUE(env.has_event("ScalingReplicaSet", "Scaled up replica set web-" + hash + " from 0 to 3"));

  // The hash is stable: the same template gives the same name.
  EXPECT_EQ(deployment::compute_hash(deploy()["spec"]["template"], std::nullopt), hash);
}

TEST_F(DeploymentTest, RollsOutToCompletionAndReportsStatusAsRolloutStatusReadsIt) {
  create_deployment(make_deployment("web", 3, rolling("25%", "25%")));
  env.converge("default/web");
  json d = deploy();
  EXPECT_EQ(d["status"]["observedGeneration"], d["metadata"]["generation"]);
  EXPECT_EQ(d["status"]["replicas"], 3);
  EXPECT_EQ(d["status"]["updatedReplicas"], 3);
  EXPECT_EQ(d["status"]["readyReplicas"], 3);
  EXPECT_EQ(d["status"]["availableReplicas"], 3);
  EXPECT_FALSE(d["status"].contains("unavailableReplicas"));
  EXPECT_EQ(progressing_reason(d), "NewReplicaSetAvailable");
  const json* available = condition(d, "Available");
  ASSERT_NE(available, nullptr);
  EXPECT_EQ((*available)["status"], "True");
  EXPECT_EQ((*available)["reason"], "MinimumReplicasAvailable");
}

TEST_F(DeploymentTest, RollingUpdateStepsWithinMaxSurgeAndMaxUnavailable) {
  create_deployment(make_deployment("web", 4, rolling(1, 0)));
  env.converge("default/web");
  ASSERT_EQ(env.pods().size(), 4u);

  set_image("app:v2");
  ASSERT_TRUE(env.sync_deployment("default/web").has_value());
  auto rss = replicasets();
  ASSERT_EQ(rss.size(), 2u);
  EXPECT_EQ(replicas(rss[0]), 4);
  EXPECT_EQ(replicas(rss[1]), 1) << "maxSurge 1: one new pod on top of 4";
  EXPECT_EQ(rss[1]["metadata"]["annotations"][kRevisionAnnotation], "2");
  EXPECT_EQ(deploy()["metadata"]["annotations"][kRevisionAnnotation], "2");

  // The new pod exists but is not ready: maxUnavailable 0 forbids scaling the old one down.
  env.sync_all_replicasets();  // creates the pod
  env.sync_all_replicasets();  // counts it
  ASSERT_TRUE(env.sync_deployment("default/web").has_value());
  rss = replicasets();
  EXPECT_EQ(replicas(rss[0]), 4);
  EXPECT_EQ(replicas(rss[1]), 1);
  json d = deploy();
  EXPECT_EQ(d["status"]["replicas"], 5);
  EXPECT_EQ(d["status"]["updatedReplicas"], 1);
  EXPECT_EQ(d["status"]["availableReplicas"], 4);
  EXPECT_EQ(d["status"]["unavailableReplicas"], 1);

  // It becomes ready: one old pod may go.
  env.make_all_ready();
  env.sync_all_replicasets();
  ASSERT_TRUE(env.sync_deployment("default/web").has_value());
  rss = replicasets();
  EXPECT_EQ(replicas(rss[0]), 3);
  EXPECT_EQ(replicas(rss[1]), 1);
  EXPECT_TRUE(env.has_event("ScalingReplicaSet", "Scaled down replica set " +
                                                     rss[0]["metadata"]["name"].get<std::string>() + " from 4 to 3"));

  env.converge("default/web");
  rss = replicasets();
  EXPECT_EQ(replicas(rss[0]), 0);
  EXPECT_EQ(replicas(rss[1]), 4);
  d = deploy();
  EXPECT_EQ(d["status"]["updatedReplicas"], 4);
  EXPECT_EQ(d["status"]["replicas"], 4);
  EXPECT_EQ(progressing_reason(d), "NewReplicaSetAvailable");
  for (auto& pod : env.pods()) EXPECT_EQ(pod["spec"]["containers"][0]["image"], "app:v2");
}

TEST_F(DeploymentTest, RecreateScalesOldDownBeforeCreatingNew) {
  create_deployment(make_deployment("web", 2, {{"type", "Recreate"}}));
  env.converge("default/web");
  ASSERT_EQ(env.pods().size(), 2u);

  set_image("app:v2");
  ASSERT_TRUE(env.sync_deployment("default/web").has_value());
  auto rss = env.replicasets();
  ASSERT_EQ(rss.size(), 1u) << "no new ReplicaSet while old pods run";
  EXPECT_EQ(replicas(rss[0]), 0);
  ASSERT_TRUE(env.sync_deployment("default/web").has_value());
  EXPECT_EQ(env.replicasets().size(), 1u);

  env.converge("default/web");
  rss = replicasets();
  ASSERT_EQ(rss.size(), 2u);
  EXPECT_EQ(replicas(rss[0]), 0);
  EXPECT_EQ(replicas(rss[1]), 2);
  for (auto& pod : env.pods()) EXPECT_EQ(pod["spec"]["containers"][0]["image"], "app:v2");
  EXPECT_EQ(progressing_reason(deploy()), "NewReplicaSetAvailable");
}

TEST_F(DeploymentTest, RevisionHistoryLimitDeletesOldestIdleReplicaSets) {
  json spec = make_deployment("web", 1, rolling(1, 0));
  spec["spec"]["revisionHistoryLimit"] = 1;
  create_deployment(spec);
  env.converge("default/web");
  for (const char* image : {"app:v2", "app:v3", "app:v4"}) {
    set_image(image);
    env.converge("default/web");
  }
  auto rss = replicasets();
  ASSERT_EQ(rss.size(), 2u) << "the new ReplicaSet plus revisionHistoryLimit=1 old one";
  EXPECT_EQ(rss[0]["metadata"]["annotations"][kRevisionAnnotation], "3");
  EXPECT_EQ(rss[1]["metadata"]["annotations"][kRevisionAnnotation], "4");
  EXPECT_EQ(deploy()["metadata"]["annotations"][kRevisionAnnotation], "4");
}

TEST_F(DeploymentTest, RollbackToAnOldTemplateReusesItsReplicaSetWithNewRevision) {
  create_deployment(make_deployment("web", 2, rolling(1, 0)));
  env.converge("default/web");
  set_image("app:v2");
  env.converge("default/web");
  set_image("app:v1");  // what `kubectl rollout undo` does: the old template again
  env.converge("default/web");
  auto rss = replicasets();
  ASSERT_EQ(rss.size(), 2u);
  const json& back = rss[1];
  EXPECT_EQ(back["spec"]["template"]["spec"]["containers"][0]["image"], "app:v1");
  EXPECT_EQ(back["metadata"]["annotations"][kRevisionAnnotation], "3");
  EXPECT_EQ(back["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"], "1");
  EXPECT_EQ(replicas(back), 2);
  EXPECT_EQ(deploy()["metadata"]["annotations"][kRevisionAnnotation], "3");
}

TEST_F(DeploymentTest, PausedDeploymentDoesNotRollOutUntilResumed) {
  create_deployment(make_deployment("web", 2, rolling(1, 0)));
  env.converge("default/web");
  edit([](json& d) {
    d["spec"]["paused"] = true;
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "app:v2";
  });
  env.converge("default/web");
  EXPECT_EQ(env.replicasets().size(), 1u);
  EXPECT_EQ(progressing_reason(deploy()), "DeploymentPaused");
  EXPECT_EQ((*condition(deploy(), "Progressing"))["status"], "Unknown");

  // Scaling while paused still applies.
  edit([](json& d) { d["spec"]["replicas"] = 3; });
  env.converge("default/web");
  EXPECT_EQ(replicas(env.replicasets()[0]), 3);

  edit([](json& d) { d["spec"]["paused"] = false; });
  ASSERT_TRUE(env.sync_deployment("default/web").has_value());
  EXPECT_EQ(env.replicasets().size(), 2u);
  env.converge("default/web");
  EXPECT_EQ(progressing_reason(deploy()), "NewReplicaSetAvailable");
  for (auto& pod : env.pods()) EXPECT_EQ(pod["spec"]["containers"][0]["image"], "app:v2");
}

TEST_F(DeploymentTest, ProgressDeadlineExceededWhenPodsNeverBecomeReady) {
  create_deployment(make_deployment("web", 2, rolling(1, 0), /*progress_deadline=*/60));
  env.converge("default/web", /*kubelet=*/false);
  EXPECT_NE(progressing_reason(deploy()), "ProgressDeadlineExceeded");
  json stuck = deploy();
  const json* available = condition(stuck, "Available");
  ASSERT_NE(available, nullptr);
  EXPECT_EQ((*available)["reason"], "MinimumReplicasUnavailable");

  env.clock.advance(std::chrono::seconds(30));
  ASSERT_TRUE(env.sync_deployment("default/web").has_value());
  EXPECT_NE(progressing_reason(deploy()), "ProgressDeadlineExceeded");

  env.clock.advance(std::chrono::seconds(31));
  ASSERT_TRUE(env.sync_deployment("default/web").has_value());
  json d = deploy();
  EXPECT_EQ(progressing_reason(d), "ProgressDeadlineExceeded");
  EXPECT_EQ((*condition(d, "Progressing"))["status"], "False");
  EXPECT_NE((*condition(d, "Progressing"))["message"].get<std::string>().find("has timed out progressing"),
            std::string::npos);
}

TEST_F(DeploymentTest, ScalingDuringRolloutIsProportional) {
  json d = create_deployment(make_deployment("web", 20, rolling(3, 2)));
  json tmpl_old = pod_template({{"app", "web"}}, "app:v0");
  auto make_rs = [&](const std::string& name, int replicas, const std::string& revision, json tmpl,
                     int created_offset) {
    tmpl["metadata"]["labels"]["pod-template-hash"] = name;
    json rs = {{"apiVersion", "apps/v1"},
               {"kind", "ReplicaSet"},
               {"metadata",
                {{"name", "web-" + name},
                 {"namespace", "default"},
                 {"labels", tmpl["metadata"]["labels"]},
                 {"creationTimestamp", base::rfc3339(env.clock.now() + std::chrono::seconds(created_offset))},
                 {"annotations",
                  {{kRevisionAnnotation, revision},
                   {"deployment.kubernetes.io/desired-replicas", "10"},
                   {"deployment.kubernetes.io/max-replicas", "13"}}},
                 {"ownerReferences", json::array({{{"apiVersion", "apps/v1"},
                                                   {"kind", "Deployment"},
                                                   {"name", "web"},
                                                   {"uid", d["metadata"]["uid"]},
                                                   {"controller", true}}})}}},
               {"spec",
                {{"replicas", replicas},
                 {"selector", {{"matchLabels", tmpl["metadata"]["labels"]}}},
                 {"template", tmpl}}}};
    env.fake.seed(res::kReplicaSets, rs);
  };
  make_rs("old", 8, "1", tmpl_old, 0);
  make_rs("new", 5, "2", d["spec"]["template"], 10);
  ASSERT_TRUE(env.sync_deployment("default/web").has_value());
  json old_rs = env.get(res::kReplicaSets, "default", "web-old");
  json new_rs = env.get(res::kReplicaSets, "default", "web-new");
  // 20 + maxSurge 3 = 23 allowed, 13 running: +10 split 8:5 -> +6 / +4.
  EXPECT_EQ(replicas(old_rs), 14);
  EXPECT_EQ(replicas(new_rs), 9);
  EXPECT_EQ(new_rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"], "20");
  EXPECT_EQ(new_rs["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"], "23");
  EXPECT_EQ(old_rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"], "20");
}

TEST_F(DeploymentTest, AdoptsOrphanReplicaSetMatchingSelector) {
  json d = create_deployment(make_deployment("web", 1, rolling(1, 0)));
  json tmpl = d["spec"]["template"];
  tmpl["metadata"]["labels"]["pod-template-hash"] = "abc";
  (void)env.fake.create(res::kReplicaSets, "default",
                {{"apiVersion", "apps/v1"},
                 {"kind", "ReplicaSet"},
                 {"metadata", {{"name", "web-abc"}, {"namespace", "default"}, {"labels", tmpl["metadata"]["labels"]}}},
                 {"spec", {{"replicas", 1}, {"selector", {{"matchLabels", tmpl["metadata"]["labels"]}}}, {"template", tmpl}}}});
  ASSERT_TRUE(env.sync_deployment("default/web").has_value());
  auto rss = env.replicasets();
  ASSERT_EQ(rss.size(), 1u) << "the orphan with the same template is the new ReplicaSet: " << json(rss).dump();
  EXPECT_EQ(rss[0]["metadata"]["ownerReferences"][0]["uid"], d["metadata"]["uid"]);
}

TEST(DeploymentUtil, FencepostsRoundAsUpstream) {
  auto d = [](int replicas, json surge, json unavailable) {
    return make_deployment("x", replicas, rolling(std::move(surge), std::move(unavailable)));
  };
  EXPECT_EQ(deployment::max_surge(d(10, "25%", "25%")), 3);        // ceil(2.5)
  EXPECT_EQ(deployment::max_unavailable(d(10, "25%", "25%")), 2);  // floor(2.5)
  EXPECT_EQ(deployment::max_surge(d(1, "25%", "25%")), 1);
  EXPECT_EQ(deployment::max_unavailable(d(1, "25%", "25%")), 0);
  EXPECT_EQ(deployment::max_unavailable(d(3, 0, 0)), 1) << "both zero: unavailable 1";
  EXPECT_EQ(deployment::max_unavailable(d(2, 0, 5)), 2) << "capped at replicas";
  EXPECT_EQ(deployment::max_surge(make_deployment("x", 3, {{"type", "Recreate"}})), 0);
  // Digits '0'..'9' (bytes 48..57) map to alphabet[byte % 27].
  EXPECT_EQ(deployment::safe_encode("0123456789"), "456789bcdf");
}

}  // namespace
}  // namespace kite::controllers::testing
