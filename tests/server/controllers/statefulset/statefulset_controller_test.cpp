#include "server/controllers/statefulset/statefulset_controller.h"

#include <gtest/gtest.h>

#include "server/controllers/history/revision_hash.h"
#include "tests/server/controllers/history/workload_fixture.h"

namespace kite::controllers {
namespace {

using testing::eventually;
using testing::FakeKubelet;
using testing::SetControllerEnv;
namespace res = client::resources;
using json = nlohmann::json;

json web_set(int replicas, const std::string& policy = "OrderedReady") {
  return json{{"apiVersion", "apps/v1"},
              {"kind", "StatefulSet"},
              {"metadata", {{"name", "web"}, {"namespace", "default"}}},
              {"spec",
               {{"replicas", replicas},
                {"serviceName", "nginx"},
                {"podManagementPolicy", policy},
                {"selector", {{"matchLabels", {{"app", "web"}}}}},
                {"updateStrategy", {{"type", "RollingUpdate"}, {"rollingUpdate", {{"partition", 0}}}}},
                {"template",
                 {{"metadata", {{"labels", {{"app", "web"}}}}},
                  {"spec", {{"containers", json::array({{{"name", "nginx"}, {"image", "nginx:1"}}})}}}}}}}};
}

json with_claims(json set) {
  set["spec"]["volumeClaimTemplates"] = json::array(
      {{{"metadata", {{"name", "www"}}},
        {"spec", {{"accessModes", json::array({"ReadWriteOnce"})},
                  {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}}});
  return set;
}

class StatefulSetTest : public ::testing::Test {
 protected:
  void start() { env.start(make_statefulset_controller); }
  void create(const client::ResourceRef& r, const json& obj) { ASSERT_TRUE(env.fake.create(r, "default", obj).has_value()); }
  json set_status() {
    auto s = env.get(res::kStatefulSets, "default", "web");
    return s && s->contains("status") && (*s)["status"].is_object() ? (*s)["status"] : json::object();
  }
  bool pod_exists(int i) { return env.exists(res::kPods, "default", "web-" + std::to_string(i)); }
  json pod(int i) { return env.get(res::kPods, "default", "web-" + std::to_string(i)).value(); }
  bool status_is(const char* field, int64_t v) {
    return set_status().value(field, int64_t{-1}) == v;
  }
  SetControllerEnv env;
};

TEST_F(StatefulSetTest, OrderedReadyCreatesEachPodOnlyAfterItsPredecessorIsReady) {
  create(res::kStatefulSets, web_set(3));
  start();
  ASSERT_TRUE(eventually([&] { return pod_exists(0); }));
  // web-0 is observed Pending (status.replicas counts it) and web-1 is still not created.
  ASSERT_TRUE(eventually([&] { return status_is("replicas", 1); }));
  EXPECT_FALSE(pod_exists(1));

  json p0 = pod(0);
  EXPECT_EQ(p0["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"], "web-0");
  EXPECT_EQ(p0["metadata"]["labels"]["apps.kubernetes.io/pod-index"], "0");
  EXPECT_EQ(p0["metadata"]["labels"]["app"], "web");
  EXPECT_EQ(p0["spec"]["hostname"], "web-0");
  EXPECT_EQ(p0["spec"]["subdomain"], "nginx");
  EXPECT_EQ(p0["metadata"]["ownerReferences"][0]["kind"], "StatefulSet");
  EXPECT_EQ(p0["metadata"]["ownerReferences"][0]["controller"], true);
  EXPECT_EQ(p0["metadata"]["labels"]["controller-revision-hash"], set_status()["updateRevision"]);

  env.make_ready("default", "web-0");
  ASSERT_TRUE(eventually([&] { return pod_exists(1); }));
  ASSERT_TRUE(eventually([&] { return status_is("replicas", 2) && status_is("readyReplicas", 1); }));
  EXPECT_FALSE(pod_exists(2));

  env.make_ready("default", "web-1");
  ASSERT_TRUE(eventually([&] { return pod_exists(2); }));
  env.make_ready("default", "web-2");
  ASSERT_TRUE(eventually([&] {
    return status_is("readyReplicas", 3) && status_is("availableReplicas", 3) && status_is("currentReplicas", 3) &&
           status_is("updatedReplicas", 3) && status_is("observedGeneration", 1);
  }));
  json st = set_status();
  EXPECT_EQ(st["currentRevision"], st["updateRevision"]);
  EXPECT_EQ(st["collisionCount"], 0);
}

TEST_F(StatefulSetTest, ParallelCreatesAllPodsWithoutWaiting) {
  create(res::kStatefulSets, web_set(3, "Parallel"));
  start();
  ASSERT_TRUE(eventually([&] { return pod_exists(0) && pod_exists(1) && pod_exists(2); }));
  EXPECT_FALSE(pod_exists(3));
}

TEST_F(StatefulSetTest, FailedPodIsReplaced) {
  create(res::kStatefulSets, web_set(1));
  start();
  ASSERT_TRUE(eventually([&] { return pod_exists(0); }));
  std::string uid = pod(0)["metadata"]["uid"];
  env.set_pod_status("default", "web-0", json{{"phase", "Failed"}});
  ASSERT_TRUE(eventually([&] { return pod_exists(0) && pod(0)["metadata"]["uid"] != uid; }));
}

TEST_F(StatefulSetTest, ClaimsAreCreatedReferencedAndRetainedOnScaleDown) {
  FakeKubelet kubelet(env.fake);
  create(res::kStatefulSets, with_claims(web_set(2)));
  start();
  ASSERT_TRUE(eventually([&] { return status_is("readyReplicas", 2); }));
  auto pvc = env.get(res::kPersistentVolumeClaims, "default", "www-web-1");
  ASSERT_TRUE(pvc.has_value());
  EXPECT_EQ((*pvc)["metadata"]["labels"]["app"], "web");
  EXPECT_EQ((*pvc)["spec"]["resources"]["requests"]["storage"], "1Gi");
  EXPECT_FALSE((*pvc)["metadata"].contains("ownerReferences"));
  json vols = pod(1)["spec"]["volumes"];
  ASSERT_EQ(vols.size(), 1u);
  EXPECT_EQ(vols[0]["name"], "www");
  EXPECT_EQ(vols[0]["persistentVolumeClaim"]["claimName"], "www-web-1");

  env.merge_patch(res::kStatefulSets, "default", "web", json{{"spec", {{"replicas", 1}}}});
  ASSERT_TRUE(eventually([&] { return !pod_exists(1) && status_is("replicas", 1); }));
  EXPECT_TRUE(pod_exists(0));
  EXPECT_TRUE(env.exists(res::kPersistentVolumeClaims, "default", "www-web-1"));
  EXPECT_TRUE(env.exists(res::kPersistentVolumeClaims, "default", "www-web-0"));

  // Scaling back up reuses the retained claim.
  env.merge_patch(res::kStatefulSets, "default", "web", json{{"spec", {{"replicas", 2}}}});
  ASSERT_TRUE(eventually([&] { return pod_exists(1); }));
  EXPECT_EQ(pod(1)["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"], "www-web-1");
}

TEST_F(StatefulSetTest, WhenScaledDeleteMakesThePodOwnTheClaimBeforeItGoes) {
  FakeKubelet kubelet(env.fake);
  json set = with_claims(web_set(2));
  set["spec"]["persistentVolumeClaimRetentionPolicy"] = {{"whenScaled", "Delete"}, {"whenDeleted", "Retain"}};
  create(res::kStatefulSets, set);
  start();
  ASSERT_TRUE(eventually([&] { return status_is("readyReplicas", 2); }));
  std::string uid1 = pod(1)["metadata"]["uid"];
  env.merge_patch(res::kStatefulSets, "default", "web", json{{"spec", {{"replicas", 1}}}});
  ASSERT_TRUE(eventually([&] {
    auto pvc = env.get(res::kPersistentVolumeClaims, "default", "www-web-1");
    return pvc && (*pvc)["metadata"].contains("ownerReferences") &&
           (*pvc)["metadata"]["ownerReferences"][0]["uid"] == uid1;
  }));
  ASSERT_TRUE(eventually([&] { return !pod_exists(1); }));
}

TEST_F(StatefulSetTest, OrderedScaleDownRemovesHighestOrdinalFirstOneAtATime) {
  // Pods bound to a node terminate gracefully in the fake: they stay with a deletionTimestamp.
  json set = web_set(3);
  set["spec"]["template"]["spec"]["nodeName"] = "node-a";
  create(res::kStatefulSets, set);
  FakeKubelet kubelet(env.fake);
  start();
  ASSERT_TRUE(eventually([&] { return status_is("readyReplicas", 3); }));
  env.merge_patch(res::kStatefulSets, "default", "web", json{{"spec", {{"replicas", 1}}}});
  ASSERT_TRUE(eventually([&] { return pod_exists(2) && pod(2)["metadata"].contains("deletionTimestamp"); }));
  // While web-2 terminates, web-1 is left alone.
  ASSERT_TRUE(eventually([&] { return status_is("observedGeneration", 2); }));
  EXPECT_FALSE(pod(1)["metadata"].contains("deletionTimestamp"));
  client::DeleteOptions now;
  now.grace_period_seconds = 0;
  ASSERT_TRUE(env.fake.remove(res::kPods, "default", "web-2", now).has_value());
  ASSERT_TRUE(eventually([&] { return pod_exists(1) && pod(1)["metadata"].contains("deletionTimestamp"); }));
  EXPECT_FALSE(pod(0)["metadata"].contains("deletionTimestamp"));
}

TEST_F(StatefulSetTest, PartitionedRollingUpdateUpdatesFromTheHighestOrdinalDown) {
  FakeKubelet kubelet(env.fake);
  create(res::kStatefulSets, web_set(3));
  start();
  ASSERT_TRUE(eventually([&] { return status_is("readyReplicas", 3) && status_is("updatedReplicas", 3); }));
  const std::string rev1 = set_status()["updateRevision"];

  env.merge_patch(res::kStatefulSets, "default", "web",
                  json{{"spec",
                        {{"updateStrategy", {{"rollingUpdate", {{"partition", 1}}}}},
                         {"template", {{"spec", {{"containers", json::array({{{"name", "nginx"},
                                                                             {"image", "nginx:2"}}})}}}}}}}});
  ASSERT_TRUE(eventually([&] {
    return status_is("updatedReplicas", 2) && status_is("readyReplicas", 3) && status_is("currentReplicas", 1);
  }));
  json st = set_status();
  const std::string rev2 = st["updateRevision"];
  EXPECT_NE(rev1, rev2);
  EXPECT_EQ(st["currentRevision"], rev1);
  EXPECT_EQ(pod(0)["metadata"]["labels"]["controller-revision-hash"], rev1);
  EXPECT_EQ(pod(0)["spec"]["containers"][0]["image"], "nginx:1");
  EXPECT_EQ(pod(1)["metadata"]["labels"]["controller-revision-hash"], rev2);
  EXPECT_EQ(pod(2)["spec"]["containers"][0]["image"], "nginx:2");

  // Two revisions, numbered 1 and 2, named "web-<hash>", holding the template patch.
  auto revs = env.fake.objects(res::kControllerRevisions);
  ASSERT_EQ(revs.size(), 2u);
  for (const auto& r : revs) {
    const std::string name = r["metadata"]["name"];
    EXPECT_EQ(name, "web-" + r["metadata"]["labels"]["controller-revision-hash"].get<std::string>());
    EXPECT_EQ(r["data"]["spec"]["template"]["$patch"], "replace");
    EXPECT_EQ(r["revision"], name == rev1 ? 1 : 2);
  }

  // Dropping the partition finishes the rollout; current catches up with update.
  env.merge_patch(res::kStatefulSets, "default", "web",
                  json{{"spec", {{"updateStrategy", {{"rollingUpdate", {{"partition", 0}}}}}}}});
  ASSERT_TRUE(eventually([&] {
    auto s = set_status();
    return s.value("updatedReplicas", 0) == 3 && s.value("readyReplicas", 0) == 3 &&
           s.value("currentRevision", "") == rev2 && s.value("currentReplicas", 0) == 3;
  }));
  EXPECT_EQ(pod(0)["spec"]["containers"][0]["image"], "nginx:2");
}

TEST_F(StatefulSetTest, RollbackRenumbersTheOldRevision) {
  FakeKubelet kubelet(env.fake);
  create(res::kStatefulSets, web_set(1));
  start();
  ASSERT_TRUE(eventually([&] { return status_is("readyReplicas", 1); }));
  const std::string rev1 = set_status()["updateRevision"];
  auto set_image = [&](const std::string& image) {
    env.merge_patch(res::kStatefulSets, "default", "web",
                    json{{"spec", {{"template", {{"spec", {{"containers", json::array({{{"name", "nginx"},
                                                                                        {"image", image}}})}}}}}}}});
  };
  set_image("nginx:2");
  ASSERT_TRUE(eventually([&] { return set_status().value("updateRevision", "") != rev1; }));
  set_image("nginx:1");
  ASSERT_TRUE(eventually([&] { return set_status().value("updateRevision", "") == rev1; }));
  ASSERT_TRUE(eventually([&] {
    auto r = env.get(res::kControllerRevisions, "default", rev1);
    return r && (*r)["revision"] == 3;
  }));
  EXPECT_EQ(env.fake.objects(res::kControllerRevisions).size(), 2u);
}

TEST_F(StatefulSetTest, OnDeleteLeavesPodsUntilTheyAreDeleted) {
  FakeKubelet kubelet(env.fake);
  json set = web_set(2);
  set["spec"]["updateStrategy"] = {{"type", "OnDelete"}};
  create(res::kStatefulSets, set);
  start();
  ASSERT_TRUE(eventually([&] { return status_is("readyReplicas", 2); }));
  std::string uid1 = pod(1)["metadata"]["uid"];
  env.merge_patch(res::kStatefulSets, "default", "web",
                  json{{"spec", {{"template", {{"spec", {{"containers", json::array({{{"name", "nginx"},
                                                                                      {"image", "nginx:2"}}})}}}}}}}});
  ASSERT_TRUE(eventually([&] { return status_is("observedGeneration", 2) && status_is("updatedReplicas", 0); }));
  EXPECT_EQ(pod(1)["metadata"]["uid"], uid1);
  ASSERT_TRUE(env.fake.remove(res::kPods, "default", "web-1").has_value());
  ASSERT_TRUE(eventually([&] { return pod_exists(1) && pod(1)["spec"]["containers"][0]["image"] == "nginx:2"; }));
  EXPECT_EQ(pod(0)["spec"]["containers"][0]["image"], "nginx:1");
}

}  // namespace
}  // namespace kite::controllers
