// WatchCache over the in-memory store: listing, consistent reads, watch resume, history
// limits and selector transitions.
#include "server/apiserver/watch_cache.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "server/kv/memory_store.h"

namespace kite::apiserver {
namespace {

using json = nlohmann::json;

std::string object(const std::string& name, const std::string& color) {
  return json{{"kind", "ConfigMap"},
              {"apiVersion", "v1"},
              {"metadata", {{"name", name}, {"namespace", "ns"}, {"labels", {{"color", color}}}}}}
      .dump();
}

// Collects what a watcher receives.
struct Recorder {
  std::mutex mu;
  std::vector<CacheEvent> events;
  bool sink(const CacheEvent& ev) {
    std::lock_guard lock(mu);
    if (ev.type != CacheEvent::Type::Bookmark) events.push_back(ev);
    return true;
  }
  size_t size() {
    std::lock_guard lock(mu);
    return events.size();
  }
  bool wait_for(size_t n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      if (size() >= n) return true;
      std::this_thread::yield();
    }
    return false;
  }
};

class WatchCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store.create("/registry/configmaps/ns/a", object("a", "red")));
    ASSERT_TRUE(store.create("/registry/configmaps/ns/b", object("b", "blue")));
    WatchCache::Options o;
    o.history_capacity = 5;
    o.compaction_interval = std::chrono::seconds(0);
    cache = std::make_unique<WatchCache>(store, nullptr, o);
    ASSERT_TRUE(cache->start());
  }
  void TearDown() override { cache->stop(); }

  kv::MemoryStore store;
  std::unique_ptr<WatchCache> cache;
};

TEST_F(WatchCacheTest, ListsAndGetsWithResourceVersionFilledIn) {
  auto list = cache->list("/registry/configmaps/ns/", nullptr, "", 0);
  ASSERT_EQ(list.items.size(), 2u);
  auto obj = json::parse(*list.items[0]->bytes);
  EXPECT_EQ(obj["metadata"]["name"], "a");
  EXPECT_EQ(obj["metadata"]["resourceVersion"], std::to_string(list.items[0]->rv));
  EXPECT_EQ(list.items[0]->labels["color"], "red");
  EXPECT_NE(cache->get("/registry/configmaps/ns/b"), nullptr);
  EXPECT_EQ(cache->get("/registry/configmaps/ns/zzz"), nullptr);
}

TEST_F(WatchCacheTest, PagesWithLimitAndStartAfter) {
  auto first = cache->list("/registry/configmaps/ns/", nullptr, "", 1);
  ASSERT_EQ(first.items.size(), 1u);
  EXPECT_TRUE(first.more);
  EXPECT_EQ(first.remaining, 1);
  auto second = cache->list("/registry/configmaps/ns/", nullptr, first.items[0]->key, 1);
  ASSERT_EQ(second.items.size(), 1u);
  EXPECT_FALSE(second.more);
  EXPECT_EQ(json::parse(*second.items[0]->bytes)["metadata"]["name"], "b");
}

TEST_F(WatchCacheTest, ConsistentReadSeesAWriteMadeJustBefore) {
  auto rev = store.create("/registry/configmaps/ns/c", object("c", "red"));
  ASSERT_TRUE(rev);
  auto synced = cache->sync_to_latest(std::chrono::seconds(3));
  ASSERT_TRUE(synced);
  EXPECT_GE(*synced, *rev);
  EXPECT_NE(cache->get("/registry/configmaps/ns/c"), nullptr);
}

TEST_F(WatchCacheTest, WatchResumesFromAResourceVersion) {
  int64_t start = cache->revision();
  ASSERT_TRUE(store.create("/registry/configmaps/ns/c", object("c", "red")));
  ASSERT_TRUE(store.remove("/registry/configmaps/ns/a"));
  Recorder rec;
  WatchCache::WatchOptions wo;
  wo.prefix = "/registry/configmaps/ns/";
  wo.from_rv = start;
  wo.sink = [&](const CacheEvent& ev) { return rec.sink(ev); };
  auto w = cache->watch(wo);
  ASSERT_TRUE(w);
  ASSERT_TRUE(rec.wait_for(2));
  EXPECT_EQ(rec.events[0].type, CacheEvent::Type::Added);
  EXPECT_EQ(rec.events[1].type, CacheEvent::Type::Deleted);
  // The deleted object's last state, stamped with the deletion's revision.
  auto last = json::parse(*rec.events[1].entry->bytes);
  EXPECT_EQ(last["metadata"]["name"], "a");
  EXPECT_EQ(last["metadata"]["resourceVersion"], std::to_string(rec.events[1].rv));
  ASSERT_TRUE(store.create("/registry/configmaps/ns/d", object("d", "red")));
  ASSERT_TRUE(rec.wait_for(3));
  EXPECT_EQ(json::parse(*rec.events[2].entry->bytes)["metadata"]["name"], "d");
}

TEST_F(WatchCacheTest, TooOldResourceVersionIsGone) {
  int64_t start = cache->revision();
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(store.create("/registry/configmaps/ns/x" + std::to_string(i), object("x", "red")));
  }
  ASSERT_TRUE(cache->sync_to_latest(std::chrono::seconds(3)));
  WatchCache::WatchOptions wo;
  wo.prefix = "/registry/configmaps/ns/";
  wo.from_rv = start;  // older than the 5 events the history keeps
  wo.sink = [](const CacheEvent&) { return true; };
  auto w = cache->watch(wo);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().reason(), base::Reason::Gone);
}

TEST_F(WatchCacheTest, FilteredWatchSeesObjectsEnterAndLeaveTheSelection) {
  Recorder rec;
  WatchCache::WatchOptions wo;
  wo.prefix = "/registry/configmaps/ns/";
  wo.from_rv = cache->revision();
  wo.filter = [](const CacheEntry& e) { return e.labels.value("color", "") == "red"; };
  wo.sink = [&](const CacheEvent& ev) { return rec.sink(ev); };
  auto w = cache->watch(wo);
  ASSERT_TRUE(w);
  auto b = store.get("/registry/configmaps/ns/b");
  ASSERT_TRUE(b && *b);
  ASSERT_TRUE(store.update("/registry/configmaps/ns/b", object("b", "red"), (*b)->mod_revision));  // enters
  ASSERT_TRUE(rec.wait_for(1));
  EXPECT_EQ(rec.events[0].type, CacheEvent::Type::Added);
  auto a = store.get("/registry/configmaps/ns/a");
  ASSERT_TRUE(store.update("/registry/configmaps/ns/a", object("a", "green"), (*a)->mod_revision));  // leaves
  ASSERT_TRUE(rec.wait_for(2));
  EXPECT_EQ(rec.events[1].type, CacheEvent::Type::Deleted);
}

TEST_F(WatchCacheTest, InitialStateThenChanges) {
  Recorder rec;
  WatchCache::WatchOptions wo;
  wo.prefix = "/registry/configmaps/ns/";
  wo.initial_state = true;
  wo.sink = [&](const CacheEvent& ev) { return rec.sink(ev); };
  auto w = cache->watch(wo);
  ASSERT_TRUE(w);
  ASSERT_TRUE(rec.wait_for(2));
  ASSERT_TRUE(store.create("/registry/configmaps/ns/c", object("c", "red")));
  ASSERT_TRUE(rec.wait_for(3));
  EXPECT_EQ(rec.events[2].type, CacheEvent::Type::Added);
  (*w)->cancel();
  ASSERT_TRUE(store.create("/registry/configmaps/ns/e", object("e", "red")));
  ASSERT_TRUE(cache->sync_to_latest(std::chrono::seconds(3)));
  EXPECT_EQ(rec.size(), 3u);  // nothing after cancel
}

}  // namespace
}  // namespace kite::apiserver
