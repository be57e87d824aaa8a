// One suite, two stores: every test runs against MemoryStore and against EtcdStore talking
// to a real etcd started by EtcdSupervisor (one etcd per suite, each test under its own key
// prefix).
#include <atomic>
#include <gtest/gtest.h>

#include "server/kv/etcd_store.h"
#include "server/kv/etcd_supervisor.h"
#include "server/kv/memory_store.h"
#include "tests/server/kv/kv_test_util.h"

namespace kite::kv {
namespace {

using base::Reason;
using testing::eventually;
using testing::Recorder;
using namespace std::chrono_literals;

struct MemoryEnv {
  static inline std::atomic<int64_t> offset_ms{0};
  static void set_up() {}
  static void tear_down() {}
  static std::unique_ptr<Store> make() {
    return std::make_unique<MemoryStore>(
        [] { return std::chrono::steady_clock::now() + std::chrono::milliseconds(offset_ms.load()); });
  }
  static void advance(std::chrono::seconds s) { offset_ms += s.count() * 1000; }
};

struct EtcdEnv {
  static inline std::unique_ptr<testing::TempDir> dir;
  static inline std::unique_ptr<EtcdSupervisor> etcd;
  static void set_up() {
    dir = std::make_unique<testing::TempDir>();
    etcd = std::make_unique<EtcdSupervisor>(EtcdSupervisorOptions{.data_dir = dir->path() + "/etcd"});
    auto started = etcd->start();
    ASSERT_TRUE(started) << started.error().message();
  }
  static void tear_down() {
    etcd.reset();
    dir.reset();
  }
  static std::unique_ptr<Store> make() {
    EtcdOptions opts;
    opts.endpoints = {etcd->client_url()};
    auto store = EtcdStore::connect(opts);
    EXPECT_TRUE(store);
    return store ? std::move(*store) : nullptr;
  }
  static void advance(std::chrono::seconds) {}  // real time only
};

template <typename Env>
class StoreConformance : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { Env::set_up(); }
  static void TearDownTestSuite() { Env::tear_down(); }
  void SetUp() override {
    store_ = Env::make();
    ASSERT_NE(store_, nullptr);
    prefix_ = std::string("/conformance/") +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + "/";
  }
  std::string key(const std::string& k) const { return prefix_ + k; }
  int64_t rev() {
    auto r = store_->current_revision();
    EXPECT_TRUE(r);
    return r.value_or(0);
  }
  int64_t put(const std::string& k, const std::string& v, int64_t lease = 0) {
    TxnRequest t;
    t.success.push_back(Op{.type = Op::Type::Put, .key = key(k), .value = v, .lease = lease});
    auto r = store_->txn(t);
    EXPECT_TRUE(r) << r.error().message();
    return r ? r->revision : 0;
  }

  std::unique_ptr<Store> store_;
  std::string prefix_;
};

using Envs = ::testing::Types<MemoryEnv, EtcdEnv>;
class EnvNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, MemoryEnv> ? "Memory" : "Etcd";
  }
};
TYPED_TEST_SUITE(StoreConformance, Envs, EnvNames);

TYPED_TEST(StoreConformance, CreateGetUpdateRemove) {
  auto& s = *this->store_;
  const auto k = this->key("obj");
  auto created = s.create(k, "v1");
  ASSERT_TRUE(created) << created.error().message();

  auto got = s.get(k);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->value, "v1");
  EXPECT_EQ((*got)->create_revision, *created);
  EXPECT_EQ((*got)->mod_revision, *created);
  EXPECT_EQ((*got)->version, 1);

  auto again = s.create(k, "other");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().reason(), Reason::AlreadyExists);

  auto stale = s.update(k, "v2", *created - 1);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().reason(), Reason::Conflict);

  auto updated = s.update(k, "v2", *created);
  ASSERT_TRUE(updated) << updated.error().message();
  EXPECT_GT(*updated, *created);
  got = s.get(k);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->value, "v2");
  EXPECT_EQ((*got)->version, 2);
  EXPECT_EQ((*got)->create_revision, *created);
  EXPECT_EQ((*got)->mod_revision, *updated);

  auto missing = s.update(this->key("nope"), "x", 5);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().reason(), Reason::NotFound);

  auto bad_remove = s.remove(k, *created);
  ASSERT_FALSE(bad_remove);
  EXPECT_EQ(bad_remove.error().reason(), Reason::Conflict);
  auto removed = s.remove(k, *updated);
  ASSERT_TRUE(removed) << removed.error().message();
  EXPECT_GT(*removed, *updated);
  auto removed_again = s.remove(k);
  ASSERT_FALSE(removed_again);
  EXPECT_EQ(removed_again.error().reason(), Reason::NotFound);
  got = s.get(k);
  ASSERT_TRUE(got);
  EXPECT_FALSE(got->has_value());

  // A recreated key starts a new life: version 1 again.
  auto recreated = s.create(k, "v3");
  ASSERT_TRUE(recreated);
  got = s.get(k);
  EXPECT_EQ((*got)->version, 1);
  EXPECT_EQ((*got)->create_revision, *recreated);
}

TYPED_TEST(StoreConformance, RangeWithPrefixLimitAndCount) {
  auto& s = *this->store_;
  this->put("pods/a", "1");
  this->put("pods/b", "2");
  this->put("pods/c", "3");
  this->put("podsx", "not in prefix");
  this->put("svc/a", "4");

  const auto p = this->key("pods/");
  auto all = s.range(RangeRequest{.key = p, .range_end = prefix_end(p)});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->kvs.size(), 3u);
  EXPECT_EQ(all->kvs[0].key, this->key("pods/a"));
  EXPECT_EQ(all->kvs[2].value, "3");
  EXPECT_EQ(all->count, 3);
  EXPECT_FALSE(all->more);
  EXPECT_EQ(all->revision, this->rev());

  auto page = s.range(RangeRequest{.key = p, .range_end = prefix_end(p), .limit = 2});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->kvs.size(), 2u);
  EXPECT_TRUE(page->more);
  EXPECT_EQ(page->count, 3);
  // Next page: from just after the last key.
  auto next = s.range(RangeRequest{.key = page->kvs.back().key + std::string(1, '\0'),
                                   .range_end = prefix_end(p),
                                   .limit = 2});
  ASSERT_TRUE(next);
  ASSERT_EQ(next->kvs.size(), 1u);
  EXPECT_EQ(next->kvs[0].key, this->key("pods/c"));
  EXPECT_FALSE(next->more);

  auto keys = s.range(RangeRequest{.key = p, .range_end = prefix_end(p), .keys_only = true});
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->kvs.size(), 3u);
  EXPECT_TRUE(keys->kvs[0].value.empty());

  auto count = s.range(RangeRequest{.key = p, .range_end = prefix_end(p), .count_only = true});
  ASSERT_TRUE(count);
  EXPECT_TRUE(count->kvs.empty());
  EXPECT_EQ(count->count, 3);
}

TYPED_TEST(StoreConformance, ReadAtOldRevision) {
  auto& s = *this->store_;
  const auto k = this->key("k");
  int64_t r1 = this->put("k", "v1");
  int64_t r2 = this->put("k", "v2");
  auto removed = s.remove(k);
  ASSERT_TRUE(removed);

  auto at1 = s.range(RangeRequest{.key = k, .revision = r1});
  ASSERT_TRUE(at1) << at1.error().message();
  ASSERT_EQ(at1->kvs.size(), 1u);
  EXPECT_EQ(at1->kvs[0].value, "v1");
  auto at2 = s.range(RangeRequest{.key = k, .revision = r2});
  ASSERT_TRUE(at2);
  ASSERT_EQ(at2->kvs.size(), 1u);
  EXPECT_EQ(at2->kvs[0].value, "v2");
  EXPECT_EQ(at2->kvs[0].version, 2);
  auto now = s.range(RangeRequest{.key = k});
  ASSERT_TRUE(now);
  EXPECT_TRUE(now->kvs.empty());
}

TYPED_TEST(StoreConformance, CompactionMakesOldRevisionsGone) {
  auto& s = *this->store_;
  const auto k = this->key("k");
  int64_t r1 = this->put("k", "v1");
  int64_t r2 = this->put("k", "v2");
  int64_t r3 = this->put("k", "v3");
  auto compacted = s.compact(r2);
  ASSERT_TRUE(compacted) << compacted.error().message();

  auto old = s.range(RangeRequest{.key = k, .revision = r1});
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error().reason(), Reason::Gone);
  auto at2 = s.range(RangeRequest{.key = k, .revision = r2});
  ASSERT_TRUE(at2) << at2.error().message();
  ASSERT_EQ(at2->kvs.size(), 1u);
  EXPECT_EQ(at2->kvs[0].value, "v2");

  auto again = s.compact(r1);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().reason(), Reason::Gone);

  Recorder rec;
  auto w = s.watch(WatchRequest{.key = k, .start_revision = r1}, rec.callback());
  ASSERT_TRUE(w) << w.error().message();
  ASSERT_TRUE(rec.wait([](const auto& us) { return !us.empty() && us.back().error; }));
  auto updates = rec.updates();
  EXPECT_EQ(updates.back().error->reason(), Reason::Gone);
  EXPECT_EQ(updates.back().compact_revision, r2);

  // A watch from the compaction point still works.
  Recorder ok;
  auto w2 = s.watch(WatchRequest{.key = k, .start_revision = r2}, ok.callback());
  ASSERT_TRUE(w2);
  ASSERT_TRUE(ok.wait_events(2));
  auto events = ok.events();
  EXPECT_EQ(events[0].kv.mod_revision, r2);
  EXPECT_EQ(events[1].kv.mod_revision, r3);
}

TYPED_TEST(StoreConformance, TxnCompares) {
  auto& s = *this->store_;
  const auto a = this->key("a"), b = this->key("b");
  int64_t ra = this->put("a", "x");

  TxnRequest t;
  t.compares = {Compare{.key = a, .target = Compare::Target::Value, .value = "x"},
                Compare{.key = a, .target = Compare::Target::Version, .op = Compare::Op::Greater,
                        .number = 0},
                Compare{.key = b, .target = Compare::Target::CreateRevision, .number = 0}};
  t.success = {Op{.type = Op::Type::Put, .key = a, .value = "y", .prev_kv = true},
               Op{.type = Op::Type::Put, .key = b, .value = "z"},
               Op{.type = Op::Type::Range, .key = a}};
  t.failure = {Op{.type = Op::Type::Range, .key = a}};
  auto r = s.txn(t);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->succeeded);
  ASSERT_EQ(r->results.size(), 3u);
  ASSERT_EQ(r->results[0].kvs.size(), 1u);
  EXPECT_EQ(r->results[0].kvs[0].value, "x");
  ASSERT_EQ(r->results[2].kvs.size(), 1u);
  EXPECT_EQ(r->results[2].kvs[0].value, "y");  // reads see the transaction's own writes
  // Both puts share one revision.
  auto ga = s.get(a), gb = s.get(b);
  EXPECT_EQ((*ga)->mod_revision, r->revision);
  EXPECT_EQ((*gb)->mod_revision, r->revision);

  // The same compares now fail: the failure branch runs.
  auto f = s.txn(t);
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->succeeded);
  ASSERT_EQ(f->results.size(), 1u);
  EXPECT_EQ(f->results[0].kvs[0].value, "y");
  EXPECT_EQ(f->revision, r->revision);  // nothing written

  TxnRequest cmp;
  cmp.compares = {Compare{.key = a, .target = Compare::Target::ModRevision,
                          .op = Compare::Op::Greater, .number = ra},
                  Compare{.key = a, .target = Compare::Target::Value, .op = Compare::Op::NotEqual,
                          .value = "x"},
                  Compare{.key = this->key("missing"), .target = Compare::Target::Version,
                          .op = Compare::Op::Less, .number = 1}};
  auto c = s.txn(cmp);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->succeeded);
  // A value compare on a missing key is false.
  TxnRequest missing;
  missing.compares = {Compare{.key = this->key("missing"), .target = Compare::Target::Value,
                              .op = Compare::Op::NotEqual, .value = "q"}};
  auto m = s.txn(missing);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->succeeded);

  // Delete a range with prev_kv.
  TxnRequest del;
  del.success = {Op{.type = Op::Type::Delete, .key = this->key(""),
                    .range_end = prefix_end(this->key("")), .prev_kv = true}};
  auto d = s.txn(del);
  ASSERT_TRUE(d);
  ASSERT_EQ(d->results.size(), 1u);
  EXPECT_EQ(d->results[0].deleted, 2);
  ASSERT_EQ(d->results[0].kvs.size(), 2u);
  EXPECT_EQ(d->results[0].kvs[1].value, "z");
}

TYPED_TEST(StoreConformance, WatchFromRevisionWithPrevKv) {
  auto& s = *this->store_;
  const auto k = this->key("w");
  int64_t r1 = this->put("w", "v1");
  int64_t r2 = this->put("w", "v2");
  auto rd = s.remove(k);
  ASSERT_TRUE(rd);
  this->put("other", "ignored");

  Recorder rec;
  auto w = s.watch(WatchRequest{.key = k, .start_revision = r1, .prev_kv = true}, rec.callback());
  ASSERT_TRUE(w) << w.error().message();
  ASSERT_TRUE(rec.wait_events(3));
  auto ev = rec.events();
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].type, Event::Type::Put);
  EXPECT_EQ(ev[0].kv.mod_revision, r1);
  EXPECT_FALSE(ev[0].prev_kv.has_value());
  EXPECT_EQ(ev[1].kv.value, "v2");
  EXPECT_EQ(ev[1].kv.mod_revision, r2);
  EXPECT_EQ(ev[1].kv.version, 2);
  ASSERT_TRUE(ev[1].prev_kv.has_value());
  EXPECT_EQ(ev[1].prev_kv->value, "v1");
  EXPECT_EQ(ev[2].type, Event::Type::Delete);
  EXPECT_EQ(ev[2].kv.key, k);
  EXPECT_EQ(ev[2].kv.mod_revision, *rd);
  ASSERT_TRUE(ev[2].prev_kv.has_value());
  EXPECT_EQ(ev[2].prev_kv->value, "v2");
  for (const auto& u : rec.updates())
    if (!u.events.empty()) {
      EXPECT_GE(u.revision, u.events.back().kv.mod_revision);
    }
}

TYPED_TEST(StoreConformance, WatchDeliversInRevisionOrder) {
  auto& s = *this->store_;
  const auto p = this->key("");
  Recorder rec;
  auto w = s.watch(WatchRequest{.key = p, .range_end = prefix_end(p)}, rec.callback());
  ASSERT_TRUE(w) << w.error().message();
  constexpr int kWrites = 60;
  std::vector<int64_t> revs;
  for (int i = 0; i < kWrites; ++i) revs.push_back(this->put("k" + std::to_string(i % 7), std::to_string(i)));
  // A transaction with two puts: two events at one revision.
  TxnRequest t;
  t.success = {Op{.type = Op::Type::Put, .key = this->key("t1"), .value = "a"},
               Op{.type = Op::Type::Put, .key = this->key("t2"), .value = "b"}};
  auto tr = s.txn(t);
  ASSERT_TRUE(tr);
  ASSERT_TRUE(rec.wait_events(kWrites + 2));
  auto ev = rec.events();
  ASSERT_EQ(ev.size(), static_cast<size_t>(kWrites + 2));
  for (int i = 0; i < kWrites; ++i) {
    EXPECT_EQ(ev[i].kv.mod_revision, revs[i]);
    EXPECT_EQ(ev[i].kv.value, std::to_string(i));
  }
  EXPECT_EQ(ev[kWrites].kv.mod_revision, tr->revision);
  EXPECT_EQ(ev[kWrites + 1].kv.mod_revision, tr->revision);
  EXPECT_EQ(ev[kWrites + 1].kv.key, this->key("t2"));
}

TYPED_TEST(StoreConformance, ProgressNotify) {
  auto& s = *this->store_;
  const auto p = this->key("");
  Recorder rec;
  auto w = s.watch(WatchRequest{.key = p, .range_end = prefix_end(p)}, rec.callback());
  ASSERT_TRUE(w);
  this->put("a", "1");
  ASSERT_TRUE(rec.wait_events(1));
  // A write outside the watched range moves the store revision on.
  auto outside = this->store_->create("/conformance-outside/" + std::to_string(this->rev()), "x");
  ASSERT_TRUE(outside);
  (*w)->request_progress();
  ASSERT_TRUE(rec.wait([&](const auto& us) {
    for (const auto& u : us)
      if (u.events.empty() && !u.error && u.revision >= *outside) return true;
    return false;
  })) << "no progress notification";
}

TYPED_TEST(StoreConformance, LeasesExpireKeys) {
  auto& s = *this->store_;
  auto lease = s.lease_grant(2s);
  ASSERT_TRUE(lease) << lease.error().message();
  ASSERT_TRUE(s.create(this->key("leased"), "x", *lease));
  auto got = s.get(this->key("leased"));
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->lease, *lease);
  EXPECT_TRUE(s.lease_keepalive(*lease));

  Recorder rec;
  auto w = s.watch(WatchRequest{.key = this->key("leased")}, rec.callback());
  ASSERT_TRUE(w);
  TypeParam::advance(3s);
  ASSERT_TRUE(eventually([&] {
    auto g = s.get(this->key("leased"));
    return g && !g->has_value();
  })) << "leased key did not expire";
  ASSERT_TRUE(rec.wait_events(1));
  EXPECT_EQ(rec.events()[0].type, Event::Type::Delete);

  auto gone = s.lease_keepalive(*lease);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().reason(), Reason::NotFound);

  // Revoke deletes at once.
  auto l2 = s.lease_grant(60s);
  ASSERT_TRUE(l2);
  ASSERT_TRUE(s.create(this->key("revoked"), "x", *l2));
  ASSERT_TRUE(s.lease_revoke(*l2));
  auto g2 = s.get(this->key("revoked"));
  ASSERT_TRUE(g2);
  EXPECT_FALSE(g2->has_value());
  auto unknown = s.lease_revoke(*l2);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().reason(), Reason::NotFound);
  auto bad_put = s.create(this->key("bad"), "x", *l2);
  ASSERT_FALSE(bad_put);
  EXPECT_EQ(bad_put.error().reason(), Reason::NotFound);
}

TYPED_TEST(StoreConformance, CancelStopsDelivery) {
  auto& s = *this->store_;
  const auto p = this->key("");
  Recorder first;
  auto w1 = s.watch(WatchRequest{.key = p, .range_end = prefix_end(p)}, first.callback());
  ASSERT_TRUE(w1);
  this->put("a", "1");
  ASSERT_TRUE(first.wait_events(1));
  (*w1)->cancel();

  Recorder second;
  auto w2 = s.watch(WatchRequest{.key = p, .range_end = prefix_end(p)}, second.callback());
  ASSERT_TRUE(w2);
  this->put("b", "2");
  ASSERT_TRUE(second.wait_events(1));
  EXPECT_EQ(first.events().size(), 1u);  // nothing after cancel
  (*w1)->cancel();  // idempotent
}

TYPED_TEST(StoreConformance, CallbackMayUseTheStore) {
  auto& s = *this->store_;
  const auto k = this->key("src");
  std::atomic<int> copied{0};
  auto w = s.watch(WatchRequest{.key = k}, [&](WatchUpdate u) {
    for (const auto& e : u.events) {
      if (e.type != Event::Type::Put) continue;
      TxnRequest t;
      t.success = {Op{.type = Op::Type::Put, .key = this->key("dst"), .value = e.kv.value}};
      if (s.txn(t)) ++copied;
    }
  });
  ASSERT_TRUE(w);
  this->put("src", "hello");
  ASSERT_TRUE(eventually([&] { return copied.load() == 1; }));
  auto g = s.get(this->key("dst"));
  ASSERT_TRUE(g && g->has_value());
  EXPECT_EQ((*g)->value, "hello");
}

TEST(PrefixEnd, IncrementsLastByte) {
  EXPECT_EQ(prefix_end("/a/"), "/a0");
  EXPECT_EQ(prefix_end("ab"), "ac");
  EXPECT_EQ(prefix_end(std::string("a\xff", 2)), "b");
  EXPECT_EQ(prefix_end(""), std::string(1, '\0'));
}

}  // namespace
}  // namespace kite::kv
