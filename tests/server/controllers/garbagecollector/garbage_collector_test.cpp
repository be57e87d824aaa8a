#include "server/controllers/garbagecollector/garbage_collector.h"

#include <gtest/gtest.h>

#include "tests/server/controllers/garbagecollector/infra_env.h"

namespace kite::controllers::testing {
namespace {

json replicaset(const std::string& name, json owners = json::array()) {
  json rs = {{"apiVersion", "apps/v1"},
             {"kind", "ReplicaSet"},
             {"metadata", {{"name", name}, {"namespace", "default"}}},
             {"spec", {{"replicas", 1}, {"selector", {{"matchLabels", {{"app", name}}}}}}}};
  if (!owners.empty()) rs["metadata"]["ownerReferences"] = owners;
  return rs;
}

json pod(const std::string& name, json owners) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", "default"}, {"ownerReferences", owners}}},
          {"spec", {{"containers", json::array({{{"name", "c"}, {"image", "busybox"}}})}}}};
}

class GarbageCollectorTest : public ::testing::Test {
 protected:
  void start() { env.start(std::make_unique<gc::GarbageCollector>(env.ctx, 2)); }
  bool gone(const client::ResourceRef& r, const std::string& name) {
    return InfraEnv::eventually([&] { return !env.find(r, "default", name); });
  }
  InfraEnv env;
};

TEST_F(GarbageCollectorTest, DeletesDependentsWhoseOwnerIsGone) {
  json rs = env.fake.seed(res::kReplicaSets, replicaset("web"));
  env.fake.seed(res::kPods, pod("kept", json::array({owner_ref(rs)})));
  json ghost = rs;
  ghost["metadata"]["uid"] = "no-such-uid";
  ghost["metadata"]["name"] = "ghost";
  env.fake.seed(res::kPods, pod("orphaned", json::array({owner_ref(ghost)})));
  start();
  EXPECT_TRUE(gone(res::kPods, "orphaned"));
  EXPECT_TRUE(InfraEnv::stays([&] { return env.find(res::kPods, "default", "kept").has_value(); }));
}

TEST_F(GarbageCollectorTest, OwnerOfTheSameNameWithAnotherUidCountsAsGone) {
  json rs = env.fake.seed(res::kReplicaSets, replicaset("web"));
  json old = rs;
  old["metadata"]["uid"] = "uid-of-the-deleted-web";
  env.fake.seed(res::kPods, pod("p", json::array({owner_ref(old)})));
  start();
  EXPECT_TRUE(gone(res::kPods, "p"));
}

TEST_F(GarbageCollectorTest, BackgroundDeletionCascadesThroughReplicaSetsToPods) {
  json d = env.fake.seed(res::kDeployments, {{"apiVersion", "apps/v1"},
                                             {"kind", "Deployment"},
                                             {"metadata", {{"name", "web"}, {"namespace", "default"}}},
                                             {"spec", {{"replicas", 1}}}});
  json rs = env.fake.seed(res::kReplicaSets, replicaset("web-abc", json::array({owner_ref(d)})));
  env.fake.seed(res::kPods, pod("web-abc-1", json::array({owner_ref(rs)})));
  env.fake.seed(res::kPods, pod("web-abc-2", json::array({owner_ref(rs)})));
  start();
  ASSERT_TRUE(InfraEnv::stays([&] { return env.count(res::kPods) == 2; }));
  client::DeleteOptions opts;
  opts.propagation_policy = "Background";
  ASSERT_TRUE(env.fake.remove(res::kDeployments, "default", "web", opts).has_value());
  EXPECT_TRUE(gone(res::kReplicaSets, "web-abc"));
  EXPECT_TRUE(InfraEnv::eventually([&] { return env.count(res::kPods) == 0; }));
}

TEST_F(GarbageCollectorTest, ForegroundDeletesDependentsThenRemovesTheFinalizer) {
  json rs = env.fake.seed(res::kReplicaSets, replicaset("web"));
  env.fake.seed(res::kPods, pod("a", json::array({owner_ref(rs)})));
  env.fake.seed(res::kPods, pod("b", json::array({owner_ref(rs)})));
  start();
  client::DeleteOptions opts;
  opts.propagation_policy = "Foreground";
  auto r = env.fake.remove(res::kReplicaSets, "default", "web", opts);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE((*r)["metadata"].contains("deletionTimestamp"));
  EXPECT_TRUE(gone(res::kReplicaSets, "web"));
  EXPECT_EQ(env.count(res::kPods), 0u);
  // The finalizer went only after the pods: every pod delete precedes the owner's last write.
  auto actions = env.fake.actions();
  size_t last_pod_delete = 0, finalizer_removal = 0;
  for (size_t i = 0; i < actions.size(); ++i) {
    if (actions[i].verb == "delete" && actions[i].resource == "pods") last_pod_delete = i;
    if (actions[i].verb == "patch" && actions[i].resource == "replicasets") finalizer_removal = i;
  }
  EXPECT_GT(finalizer_removal, last_pod_delete);
}

TEST_F(GarbageCollectorTest, ForegroundWaitsForBlockingDependentsThatAreStillTerminating) {
  json rs = env.fake.seed(res::kReplicaSets, replicaset("web"));
  json p = pod("slow", json::array({owner_ref(rs)}));
  p["metadata"]["finalizers"] = json::array({"example.com/hold"});
  env.fake.seed(res::kPods, p);
  start();
  client::DeleteOptions opts;
  opts.propagation_policy = "Foreground";
  ASSERT_TRUE(env.fake.remove(res::kReplicaSets, "default", "web", opts).has_value());
  // The pod is marked for deletion but its own finalizer keeps it: the owner must wait.
  ASSERT_TRUE(InfraEnv::eventually([&] {
    auto slow = env.find(res::kPods, "default", "slow");
    return slow && (*slow)["metadata"].contains("deletionTimestamp");
  }));
  EXPECT_TRUE(InfraEnv::stays([&] { return env.find(res::kReplicaSets, "default", "web").has_value(); }));
  // Once the pod goes, so does the owner.
  json slow = *env.find(res::kPods, "default", "slow");
  slow["metadata"].erase("finalizers");
  ASSERT_TRUE(env.fake.update(res::kPods, slow).has_value());
  EXPECT_TRUE(gone(res::kReplicaSets, "web"));
}

TEST_F(GarbageCollectorTest, OrphanRemovesTheOwnerReferenceAndKeepsDependents) {
  json rs = env.fake.seed(res::kReplicaSets, replicaset("web"));
  json other = env.fake.seed(res::kReplicaSets, replicaset("other"));
  env.fake.seed(res::kPods, pod("a", json::array({owner_ref(rs)})));
  env.fake.seed(res::kPods, pod("b", json::array({owner_ref(rs, false), owner_ref(other, true)})));
  start();
  client::DeleteOptions opts;
  opts.propagation_policy = "Orphan";
  ASSERT_TRUE(env.fake.remove(res::kReplicaSets, "default", "web", opts).has_value());
  EXPECT_TRUE(gone(res::kReplicaSets, "web"));
  auto a = env.find(res::kPods, "default", "a");
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE((*a)["metadata"].contains("ownerReferences"));
  auto b = env.find(res::kPods, "default", "b");
  ASSERT_TRUE(b.has_value());
  ASSERT_EQ((*b)["metadata"]["ownerReferences"].size(), 1u);
  EXPECT_EQ((*b)["metadata"]["ownerReferences"][0]["name"], "other");
  EXPECT_TRUE(InfraEnv::stays([&] { return env.count(res::kPods) == 2; }));
}

TEST_F(GarbageCollectorTest, DanglingReferenceIsDroppedWhileAnotherOwnerRemains) {
  json rs = env.fake.seed(res::kReplicaSets, replicaset("web"));
  json ghost = rs;
  ghost["metadata"]["uid"] = "ghost-uid";
  ghost["metadata"]["name"] = "ghost";
  env.fake.seed(res::kPods, pod("p", json::array({owner_ref(ghost, false), owner_ref(rs, true)})));
  start();
  EXPECT_TRUE(InfraEnv::eventually([&] {
    auto p = env.find(res::kPods, "default", "p");
    return p && (*p)["metadata"]["ownerReferences"].size() == 1;
  }));
  EXPECT_EQ((*env.find(res::kPods, "default", "p"))["metadata"]["ownerReferences"][0]["uid"], rs["metadata"]["uid"]);
}

TEST_F(GarbageCollectorTest, OwnerOfAnUnknownKindIsNeverAssumedGone) {
  json owner = {{"apiVersion", "example.com/v1"},
                {"kind", "Widget"},
                {"metadata", {{"name", "w"}, {"uid", "widget-uid"}}}};
  env.fake.seed(res::kPods, pod("p", json::array({owner_ref(owner)})));
  start();
  EXPECT_TRUE(InfraEnv::stays([&] { return env.find(res::kPods, "default", "p").has_value(); }));
}

}  // namespace
}  // namespace kite::controllers::testing
