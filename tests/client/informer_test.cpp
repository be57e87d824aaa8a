#include "client/informer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <mutex>
#include <thread>

#include "client/fake_client.h"

namespace kite::client {
namespace {

using namespace std::chrono_literals;
namespace res = resources;

bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds timeout = 5s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

json pod(const std::string& ns, const std::string& name, const std::string& node = "") {
  json p = {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", name}, {"namespace", ns}, {"labels", {{"app", "web"}}}}},
            {"spec", {{"containers", json::array({{{"name", "c"}, {"image", "nginx"}}})}}}};
  if (!node.empty()) p["spec"]["nodeName"] = node;
  return p;
}

// Records handler calls as "add:key", "update:key", "delete:key".
struct Recorder {
  mutable std::mutex mu;
  std::vector<std::string> events;
  std::vector<std::pair<ObjectPtr, ObjectPtr>> updates;
  std::vector<ObjectPtr> deletes;

  EventHandlers handlers() {
    return {.on_add = [this](const ObjectPtr& o) { push("add:" + object_key(*o)); },
            .on_update =
                [this](const ObjectPtr& o, const ObjectPtr& n) {
                  std::lock_guard lock(mu);
                  updates.emplace_back(o, n);
                  events.push_back("update:" + object_key(*n));
                },
            .on_delete =
                [this](const ObjectPtr& o) {
                  std::lock_guard lock(mu);
                  deletes.push_back(o);
                  events.push_back("delete:" + object_key(*o));
                }};
  }
  void push(std::string e) {
    std::lock_guard lock(mu);
    events.push_back(std::move(e));
  }
  std::vector<std::string> snapshot() const {
    std::lock_guard lock(mu);
    return events;
  }
  bool has(const std::string& e) const {
    auto s = snapshot();
    return std::find(s.begin(), s.end(), e) != s.end();
  }
  size_t count(const std::string& prefix) const {
    auto s = snapshot();
    return std::count_if(s.begin(), s.end(), [&](const std::string& x) { return x.starts_with(prefix); });
  }
};

int count_actions(const FakeClient& c, const std::string& verb) {
  int n = 0;
  for (const auto& a : c.actions()) n += a.verb == verb && a.resource == "pods";
  return n;
}

TEST(InformerTest, InitialListIsStoredAndDeliveredAsAdds) {
  FakeClient c;
  c.seed(res::kPods, pod("default", "a"));
  c.seed(res::kPods, pod("other", "b"));
  Informer inf(c, res::kPods);
  Recorder rec;
  inf.add_handlers(rec.handlers());
  EXPECT_FALSE(inf.has_synced());
  inf.start();
  ASSERT_TRUE(inf.wait_for_sync(5s));
  EXPECT_TRUE(inf.has_synced());
  // Sync means the adds were delivered already.
  auto events = rec.snapshot();
  std::sort(events.begin(), events.end());
  EXPECT_EQ(events, (std::vector<std::string>{"add:default/a", "add:other/b"}));
  ASSERT_TRUE(inf.get("default/a"));
  EXPECT_EQ((*inf.get("default/a"))["metadata"]["name"], "a");
  EXPECT_EQ(inf.get("default/zzz"), nullptr);
  EXPECT_EQ(inf.list().size(), 2u);
  EXPECT_FALSE(inf.last_resource_version().empty());
}

TEST(InformerTest, NamespacedInformerWithSelectorSeesOnlyItsObjects) {
  FakeClient c;
  c.seed(res::kPods, pod("default", "a"));
  c.seed(res::kPods, pod("other", "b"));
  json db = pod("default", "db");
  db["metadata"]["labels"]["app"] = "db";
  c.seed(res::kPods, db);
  Informer inf(c, res::kPods, "default", {.label_selector = "app=web"});
  inf.start();
  ASSERT_TRUE(inf.wait_for_sync(5s));
  ASSERT_EQ(inf.list().size(), 1u);
  EXPECT_TRUE(inf.get("default/a"));
  ASSERT_TRUE(c.create(res::kPods, "other", pod("other", "c")));
  ASSERT_TRUE(c.create(res::kPods, "default", pod("default", "d")));
  ASSERT_TRUE(wait_until([&] { return inf.get("default/d") != nullptr; }));
  EXPECT_EQ(inf.get("other/c"), nullptr);
}

TEST(InformerTest, WatchDeliversAddsUpdatesAndDeletesInOrder) {
  FakeClient c;
  Informer inf(c, res::kPods);
  Recorder rec;
  inf.add_handlers(rec.handlers());
  inf.start();
  ASSERT_TRUE(inf.wait_for_sync(5s));
  ASSERT_TRUE(c.create(res::kPods, "default", pod("default", "a")));
  ASSERT_TRUE(c.patch(res::kPods, "default", "a", PatchType::kMerge, {{"metadata", {{"labels", {{"app", "v2"}}}}}}));
  ASSERT_TRUE(c.remove(res::kPods, "default", "a"));
  ASSERT_TRUE(wait_until([&] { return rec.snapshot().size() == 3; }));
  EXPECT_EQ(rec.snapshot(), (std::vector<std::string>{"add:default/a", "update:default/a", "delete:default/a"}));
  {
    std::lock_guard lock(rec.mu);
    EXPECT_EQ((*rec.updates[0].first)["metadata"]["labels"]["app"], "web");
    EXPECT_EQ((*rec.updates[0].second)["metadata"]["labels"]["app"], "v2");
    // The delete handler gets the last known state.
    EXPECT_EQ((*rec.deletes[0])["metadata"]["labels"]["app"], "v2");
  }
  EXPECT_EQ(inf.get("default/a"), nullptr);
  EXPECT_EQ(count_actions(c, "list"), 1);
}

TEST(InformerTest, StoreIsUpdatedBeforeHandlersRun) {
  FakeClient c;
  Informer inf(c, res::kPods);
  std::mutex mu;
  std::vector<bool> seen_in_store;
  inf.add_handlers({.on_add = [&](const ObjectPtr& o) {
    std::lock_guard lock(mu);
    seen_in_store.push_back(inf.get(object_key(*o)) == o);
  }});
  inf.start();
  ASSERT_TRUE(inf.wait_for_sync(5s));
  ASSERT_TRUE(c.create(res::kPods, "default", pod("default", "a")));
  ASSERT_TRUE(wait_until([&] {
    std::lock_guard lock(mu);
    return !seen_in_store.empty();
  }));
  std::lock_guard lock(mu);
  EXPECT_TRUE(seen_in_store[0]);
}

TEST(InformerTest, IndexesFollowEveryChange) {
  FakeClient c;
  json owned = pod("default", "a", "n1");
  owned["metadata"]["ownerReferences"] = json::array({{{"uid", "rs-1"}, {"kind", "ReplicaSet"}, {"name", "rs"}}});
  c.seed(res::kPods, owned);
  c.seed(res::kPods, pod("kube-system", "b", "n2"));
  Informer inf(c, res::kPods);
  inf.add_index(kIndexNamespace, index_by_namespace);
  inf.add_index(kIndexOwnerUid, index_by_owner_uid);
  inf.add_index(kIndexNodeName, index_by_node_name);
  inf.start();
  ASSERT_TRUE(inf.wait_for_sync(5s));
  auto names = [&](const char* index, const std::string& value) {
    std::vector<std::string> out;
    for (const auto& o : inf.by_index(index, value)) out.push_back((*o)["metadata"]["name"]);
    std::sort(out.begin(), out.end());
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names(kIndexNamespace, "default"), V{"a"});
  EXPECT_EQ(names(kIndexOwnerUid, "rs-1"), V{"a"});
  EXPECT_EQ(names(kIndexNodeName, "n1"), V{"a"});
  EXPECT_EQ(names(kIndexNodeName, "n2"), V{"b"});
  EXPECT_TRUE(names("no-such-index", "x").empty());

  // An unscheduled pod gets bound: it appears under its node.
  ASSERT_TRUE(c.create(res::kPods, "default", pod("default", "c")));
  ASSERT_TRUE(c.create_subresource(res::kPods, "default", "c", "binding",
                                   {{"metadata", {{"name", "c"}}}, {"target", {{"name", "n1"}}}}));
  ASSERT_TRUE(wait_until([&] { return names(kIndexNodeName, "n1") == V{"a", "c"}; }));
  EXPECT_EQ(names(kIndexNamespace, "default"), (V{"a", "c"}));
  // Deleting removes it from every index.
  ASSERT_TRUE(c.remove(res::kPods, "default", "a", {.grace_period_seconds = 0}));
  ASSERT_TRUE(wait_until([&] { return names(kIndexNodeName, "n1") == V{"c"}; }));
  EXPECT_TRUE(names(kIndexOwnerUid, "rs-1").empty());
  EXPECT_EQ(names(kIndexNamespace, "default"), V{"c"});
}

TEST(InformerTest, RelistAfterExpiredWatchDeliversTheDifference) {
  FakeClient c;
  c.seed(res::kPods, pod("default", "gone"));
  c.seed(res::kPods, pod("default", "changed"));
  c.seed(res::kPods, pod("default", "same"));
  Informer inf(c, res::kPods);
  Recorder rec;
  inf.add_handlers(rec.handlers());
  inf.start();
  ASSERT_TRUE(inf.wait_for_sync(5s));
  ASSERT_EQ(rec.count("add:"), 3u);
  // Wait until the informer is watching, so the expiry hits an open watch.
  ASSERT_TRUE(wait_until([&] { return count_actions(c, "watch") >= 1; }));

  // Relists fail until the changes below are in place; the informer misses them all.
  c.fail("list", "pods", base::Status(base::Reason::ServiceUnavailable, "down"));
  c.expire_watches();
  ASSERT_TRUE(wait_until([&] { return count_actions(c, "list") >= 2; }));
  ASSERT_TRUE(c.remove(res::kPods, "default", "gone"));
  ASSERT_TRUE(c.patch(res::kPods, "default", "changed", PatchType::kMerge, {{"metadata", {{"labels", {{"v", "2"}}}}}}));
  ASSERT_TRUE(c.create(res::kPods, "default", pod("default", "new")));
  c.clear_failures();

  ASSERT_TRUE(wait_until([&] { return rec.snapshot().size() == 6; }));
  EXPECT_TRUE(rec.has("delete:default/gone"));
  EXPECT_TRUE(rec.has("update:default/changed"));
  EXPECT_TRUE(rec.has("add:default/new"));
  EXPECT_EQ(rec.count("update:default/same"), 0u);  // unchanged objects are not re-delivered
  EXPECT_EQ(inf.get("default/gone"), nullptr);
  ASSERT_TRUE(inf.get("default/changed"));
  EXPECT_EQ((*inf.get("default/changed"))["metadata"]["labels"]["v"], "2");

  // And it watches again afterwards.
  ASSERT_TRUE(c.create(res::kPods, "default", pod("default", "later")));
  ASSERT_TRUE(wait_until([&] { return rec.has("add:default/later"); }));
}

TEST(InformerTest, EndedWatchResumesFromTheLastVersionWithoutRelisting) {
  FakeClient c;
  Informer inf(c, res::kPods);
  Recorder rec;
  inf.add_handlers(rec.handlers());
  inf.start();
  ASSERT_TRUE(inf.wait_for_sync(5s));
  ASSERT_TRUE(c.create(res::kPods, "default", pod("default", "a")));
  ASSERT_TRUE(wait_until([&] { return rec.has("add:default/a"); }));
  std::string seen = inf.last_resource_version();
  c.close_watches();
  // Changes made while no watch is open arrive through the next watch, from `seen`.
  ASSERT_TRUE(c.create(res::kPods, "default", pod("default", "b")));
  ASSERT_TRUE(wait_until([&] { return rec.has("add:default/b"); }));
  EXPECT_EQ(count_actions(c, "list"), 1);
  bool resumed = false;
  for (const auto& a : c.actions()) resumed |= a.verb == "watch";
  EXPECT_TRUE(resumed);
  EXPECT_EQ(rec.snapshot(), (std::vector<std::string>{"add:default/a", "add:default/b"}));
  EXPECT_NE(inf.last_resource_version(), seen);
}

TEST(InformerTest, WaitForSyncTimesOutWhileListFailsAndRecovers) {
  FakeClient c;
  c.seed(res::kPods, pod("default", "a"));
  c.fail("list", "pods", base::Status(base::Reason::ServiceUnavailable, "down"));
  Informer inf(c, res::kPods);
  inf.start();
  EXPECT_FALSE(inf.wait_for_sync(50ms));
  EXPECT_FALSE(inf.has_synced());
  c.clear_failures();
  ASSERT_TRUE(inf.wait_for_sync(5s));
  EXPECT_TRUE(inf.get("default/a"));
}

TEST(InformerTest, HandlersAddedAfterStartFirstGetTheStoredObjects) {
  FakeClient c;
  c.seed(res::kPods, pod("default", "a"));
  Informer inf(c, res::kPods);
  inf.start();
  ASSERT_TRUE(inf.wait_for_sync(5s));
  Recorder rec;
  inf.add_handlers(rec.handlers());
  EXPECT_EQ(rec.snapshot(), std::vector<std::string>{"add:default/a"});
  ASSERT_TRUE(c.create(res::kPods, "default", pod("default", "b")));
  ASSERT_TRUE(wait_until([&] { return rec.has("add:default/b"); }));
}

TEST(InformerTest, ResyncRedeliversObjectsAsUpdates) {
  FakeClient c;
  c.seed(res::kPods, pod("default", "a"));
  Informer inf(c, res::kPods, "", {}, 20ms);
  Recorder rec;
  inf.add_handlers(rec.handlers());
  inf.start();
  ASSERT_TRUE(inf.wait_for_sync(5s));
  ASSERT_TRUE(wait_until([&] { return rec.count("update:default/a") >= 2; }));
  std::lock_guard lock(rec.mu);
  EXPECT_EQ(rec.updates[0].first, rec.updates[0].second);
}

TEST(InformerTest, StopEndsTheWatchAndIsIdempotent) {
  FakeClient c;
  Informer inf(c, res::kPods);
  inf.start();
  ASSERT_TRUE(inf.wait_for_sync(5s));
  ASSERT_TRUE(wait_until([&] { return count_actions(c, "watch") >= 1; }));
  inf.stop();
  inf.stop();
  ASSERT_TRUE(c.create(res::kPods, "default", pod("default", "a")));
  EXPECT_EQ(inf.get("default/a"), nullptr);
}

TEST(InformerFactoryTest, SharesOneInformerPerResource) {
  FakeClient c;
  c.seed(res::kPods, pod("default", "a", "n1"));
  c.seed(res::kNodes, {{"metadata", {{"name", "n1"}}}});
  InformerFactory f(c);
  Informer& pods = f.informer(res::kPods);
  EXPECT_EQ(&pods, &f.informer(res::kPods));
  f.start_all();
  ASSERT_TRUE(f.wait_for_sync(5s));
  EXPECT_TRUE(pods.get("default/a"));
  // The standard indexes are there for every user of the shared informer.
  EXPECT_EQ(pods.by_index(kIndexNodeName, "n1").size(), 1u);
  EXPECT_EQ(pods.by_index(kIndexNamespace, "default").size(), 1u);
  // An informer asked for after start_all() starts at once.
  Informer& nodes = f.informer(res::kNodes);
  ASSERT_TRUE(f.wait_for_sync(5s));
  EXPECT_TRUE(nodes.get("n1"));
  f.stop_all();
}

}  // namespace
}  // namespace kite::client
