#include "server/kv/memory_store.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "server/kv/mvcc_history.h"

namespace kite::kv {

using base::Reason;
using TimePoint = std::chrono::steady_clock::time_point;

namespace {

struct LeaseState {
  std::chrono::seconds ttl{0};
  TimePoint expiry;
  std::set<std::string> keys;
};

struct WatchState {
  int64_t id = 0;
  WatchRequest req;
  std::function<void(WatchUpdate)> callback;
  int64_t next_revision = 0;  // first revision not yet scanned for this watch
  bool progress_requested = false;
  std::vector<Event> backlog;  // undelivered events saved from a compaction
  std::optional<WatchUpdate> error;  // delivered once, then the watch ends
};

}  // namespace

struct MemoryStore::Core {
  Clock clock;
  std::mutex mu;
  MvccHistory mvcc;
  std::map<int64_t, LeaseState> leases;
  int64_t next_lease_id = 0x6b697465'0001;  // arbitrary, non-zero
  std::map<int64_t, std::shared_ptr<WatchState>> watches;
  int64_t next_watch_id = 1;

  bool stopping = false;
  bool dirty = false;                // something a watch may need to see changed
  int64_t delivering = 0;            // the watch whose callback runs now (0 = none)
  std::condition_variable wake;      // dispatcher and expiry thread wait on it
  std::condition_variable idle;      // signalled after each callback
  std::thread dispatcher;
  std::thread expirer;

  void mark_dirty() {
    dirty = true;
    wake.notify_all();
  }

  // Applies lease bookkeeping for a changed key.
  void detach(const std::string& key, int64_t lease) {
    if (lease == 0) return;
    auto it = leases.find(lease);
    if (it != leases.end()) it->second.keys.erase(key);
  }

  void revoke_locked(int64_t id) {
    auto it = leases.find(id);
    if (it == leases.end()) return;
    auto keys = std::move(it->second.keys);
    leases.erase(it);
    mvcc.begin_write();
    for (const auto& k : keys) mvcc.remove_range(k, "");
    if (mvcc.end_write()) mark_dirty();
  }

  void expire_locked() {
    const TimePoint now = clock();
    std::vector<int64_t> expired;
    for (const auto& [id, lease] : leases)
      if (lease.expiry <= now) expired.push_back(id);
    for (int64_t id : expired) revoke_locked(id);
  }

  // One pass over the watches; returns with the lock held.
  void dispatch_round(std::unique_lock<std::mutex>& lk) {
    dirty = false;
    std::vector<std::shared_ptr<WatchState>> snapshot;
    for (const auto& [id, w] : watches) snapshot.push_back(w);
    for (const auto& w : snapshot) {
      if (!watches.contains(w->id)) continue;  // cancelled meanwhile
      WatchUpdate update;
      bool finished = false;
      if (w->error) {
        update = *w->error;
        finished = true;
      } else {
        const int64_t upto = mvcc.revision();
        update.events = std::move(w->backlog);
        w->backlog.clear();
        if (w->next_revision <= upto) {
          auto events = mvcc.events_since(w->next_revision, w->req.key, w->req.range_end,
                                          w->req.prev_kv);
          update.events.insert(update.events.end(), std::make_move_iterator(events.begin()),
                               std::make_move_iterator(events.end()));
          w->next_revision = upto + 1;
        }
        if (!update.events.empty()) {
          update.revision = update.events.back().kv.mod_revision;
          if (w->progress_requested) dirty = true;  // answer it next round
        } else if (w->progress_requested) {
          w->progress_requested = false;
          update.revision = upto;
        } else {
          continue;
        }
      }
      if (finished) watches.erase(w->id);
      delivering = w->id;
      lk.unlock();
      w->callback(std::move(update));
      lk.lock();
      delivering = 0;
      idle.notify_all();
    }
  }

  void dispatch_loop() {
    std::unique_lock lk(mu);
    while (true) {
      wake.wait(lk, [&] { return stopping || dirty; });
      if (stopping) return;
      dispatch_round(lk);
    }
  }

  void expiry_loop() {
    std::unique_lock lk(mu);
    while (!stopping) {
      wake.wait_for(lk, std::chrono::milliseconds(50));
      if (stopping) return;
      expire_locked();
    }
  }

  void cancel_watch(int64_t id) {
    std::unique_lock lk(mu);
    watches.erase(id);
    if (std::this_thread::get_id() == dispatcher.get_id()) return;  // from inside a callback
    idle.wait(lk, [&] { return delivering != id; });
  }

  void request_progress(int64_t id) {
    std::lock_guard lk(mu);
    auto it = watches.find(id);
    if (it == watches.end()) return;
    it->second->progress_requested = true;
    mark_dirty();
  }
};

namespace {

class MemoryWatch : public Watch {
 public:
  MemoryWatch(std::weak_ptr<MemoryStore::Core> core, int64_t id) : core_(std::move(core)), id_(id) {}
  ~MemoryWatch() override { cancel(); }
  void cancel() override {
    if (auto core = core_.lock()) core->cancel_watch(id_);
  }
  void request_progress() override {
    if (auto core = core_.lock()) core->request_progress(id_);
  }

 private:
  std::weak_ptr<MemoryStore::Core> core_;
  int64_t id_;
};

}  // namespace

MemoryStore::MemoryStore(Clock clock) : core_(std::make_shared<Core>()) {
  core_->clock = clock ? std::move(clock) : [] { return std::chrono::steady_clock::now(); };
  Core* core = core_.get();
  core_->dispatcher = std::thread([core] { core->dispatch_loop(); });
  core_->expirer = std::thread([core] { core->expiry_loop(); });
}

MemoryStore::~MemoryStore() {
  {
    std::lock_guard lk(core_->mu);
    core_->stopping = true;
    core_->watches.clear();
  }
  core_->wake.notify_all();
  core_->dispatcher.join();
  core_->expirer.join();
}

void MemoryStore::expire_leases() {
  std::lock_guard lk(core_->mu);
  core_->expire_locked();
}

Result<RangeResponse> MemoryStore::range(const RangeRequest& req) {
  std::lock_guard lk(core_->mu);
  core_->expire_locked();
  return core_->mvcc.range(req);
}

Result<TxnResponse> MemoryStore::txn(const TxnRequest& req) {
  std::lock_guard lk(core_->mu);
  Core& c = *core_;
  c.expire_locked();
  TxnResponse resp;
  resp.succeeded = true;
  for (const auto& cmp : req.compares) {
    if (!c.mvcc.compare(cmp)) {
      resp.succeeded = false;
      break;
    }
  }
  const auto& ops = resp.succeeded ? req.success : req.failure;
  for (const auto& op : ops) {
    if (op.type == Op::Type::Put && op.lease != 0 && !c.leases.contains(op.lease))
      return base::error(Reason::NotFound, "requested lease not found");
  }
  c.mvcc.begin_write();
  for (const auto& op : ops) {
    OpResult result;
    switch (op.type) {
      case Op::Type::Range: {
        auto r = c.mvcc.range(RangeRequest{.key = op.key, .range_end = op.range_end});
        if (r) result.kvs = std::move(r->kvs);
        break;
      }
      case Op::Type::Put: {
        auto prev = c.mvcc.put(op.key, op.value, op.lease);
        if (prev) c.detach(op.key, prev->lease);
        if (op.lease != 0) c.leases[op.lease].keys.insert(op.key);
        if (op.prev_kv && prev) result.kvs.push_back(std::move(*prev));
        break;
      }
      case Op::Type::Delete: {
        auto removed = c.mvcc.remove_range(op.key, op.range_end);
        for (const auto& kv : removed) c.detach(kv.key, kv.lease);
        result.deleted = static_cast<int64_t>(removed.size());
        if (op.prev_kv) result.kvs = std::move(removed);
        break;
      }
    }
    resp.results.push_back(std::move(result));
  }
  if (c.mvcc.end_write()) c.mark_dirty();
  resp.revision = c.mvcc.revision();
  return resp;
}

Result<std::unique_ptr<Watch>> MemoryStore::watch(const WatchRequest& req,
                                                  std::function<void(WatchUpdate)> callback) {
  std::lock_guard lk(core_->mu);
  Core& c = *core_;
  auto w = std::make_shared<WatchState>();
  w->id = c.next_watch_id++;
  w->req = req;
  w->callback = std::move(callback);
  if (req.start_revision > 0 && req.start_revision < c.mvcc.compact_revision()) {
    WatchUpdate gone;
    gone.error = base::Status(Reason::Gone, "required revision has been compacted");
    gone.compact_revision = c.mvcc.compact_revision();
    w->error = std::move(gone);
  }
  w->next_revision = req.start_revision > 0 ? req.start_revision : c.mvcc.revision() + 1;
  c.watches.emplace(w->id, w);
  c.mark_dirty();
  return std::unique_ptr<Watch>(std::make_unique<MemoryWatch>(core_, w->id));
}

Result<int64_t> MemoryStore::lease_grant(std::chrono::seconds ttl) {
  std::lock_guard lk(core_->mu);
  Core& c = *core_;
  c.expire_locked();
  if (ttl.count() <= 0) return base::error(Reason::BadRequest, "lease TTL must be positive");
  int64_t id = c.next_lease_id++;
  c.leases[id] = LeaseState{.ttl = ttl, .expiry = c.clock() + ttl, .keys = {}};
  return id;
}

Result<void> MemoryStore::lease_keepalive(int64_t lease_id) {
  std::lock_guard lk(core_->mu);
  Core& c = *core_;
  c.expire_locked();
  auto it = c.leases.find(lease_id);
  if (it == c.leases.end()) return base::error(Reason::NotFound, "requested lease not found");
  it->second.expiry = c.clock() + it->second.ttl;
  return {};
}

Result<void> MemoryStore::lease_revoke(int64_t lease_id) {
  std::lock_guard lk(core_->mu);
  Core& c = *core_;
  c.expire_locked();
  if (!c.leases.contains(lease_id))
    return base::error(Reason::NotFound, "requested lease not found");
  c.revoke_locked(lease_id);
  return {};
}

Result<void> MemoryStore::compact(int64_t revision) {
  std::lock_guard lk(core_->mu);
  Core& c = *core_;
  if (revision > c.mvcc.compact_revision() && revision <= c.mvcc.revision()) {
    // Watches that have not yet seen changes before the compaction point keep them: save
    // them now, so a slow callback never turns into a Gone.
    for (auto& [id, w] : c.watches) {
      if (w->error || w->next_revision >= revision) continue;
      auto events = c.mvcc.events_since(w->next_revision, w->req.key, w->req.range_end,
                                        w->req.prev_kv);
      for (auto& e : events) {
        if (e.kv.mod_revision >= revision) break;
        w->backlog.push_back(std::move(e));
      }
      w->next_revision = revision;
    }
  }
  auto r = c.mvcc.compact(revision);
  if (!r) return r;
  c.mark_dirty();
  return {};
}

Result<int64_t> MemoryStore::current_revision() {
  std::lock_guard lk(core_->mu);
  core_->expire_locked();
  return core_->mvcc.revision();
}

}  // namespace kite::kv
