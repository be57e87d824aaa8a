#include "server/apiserver/watch_cache.h"

#include <algorithm>

#include "base/log.h"

namespace kite::apiserver {

using base::Reason;
using base::Result;
using json = nlohmann::json;

CacheWatcher::~CacheWatcher() { cancel(); }

void CacheWatcher::detach() { cache_ = nullptr; }

void CacheWatcher::cancel() {
  if (cache_) {
    cache_->remove_watcher(id_);
    cache_ = nullptr;
  }
}

WatchCache::WatchCache(kv::Store& store, Indexer indexer, Options options)
    : store_(store),
      indexer_(std::move(indexer)),
      options_(std::move(options)),
      latest_revision_([&store] { return store.current_revision(); }) {}

WatchCache::~WatchCache() { stop(); }

Result<void> WatchCache::start() {
  if (auto r = relist(); !r) return r;
  maintenance_ = std::thread([this] { maintenance_loop(); });
  return {};
}

void WatchCache::stop() {
  if (stopping_.exchange(true)) return;
  {
    std::lock_guard lock(stop_mu_);
  }
  stop_cv_.notify_all();
  if (maintenance_.joinable()) maintenance_.join();
  std::unique_ptr<kv::Watch> w;
  {
    std::lock_guard lock(mu_);
    w = std::move(store_watch_);
    ++generation_;
  }
  if (w) w->cancel();
  std::lock_guard lock(mu_);
  CacheEvent closed{CacheEvent::Type::Closed, nullptr, nullptr, rv_};
  for (auto& [id, w2] : watchers_) w2.options.sink(closed);
  watchers_.clear();
}

EntryPtr WatchCache::make_entry(const kv::KeyValue& kv) const {
  auto entry = std::make_shared<CacheEntry>();
  entry->key = kv.key;
  entry->rv = kv.mod_revision;
  json obj = json::parse(kv.value, nullptr, /*allow_exceptions=*/false);
  if (obj.is_discarded() || !obj.is_object()) {
    KITE_LOG(warn, "watch-cache") << "skipping undecodable value at " << kv.key;
    return nullptr;
  }
  obj["metadata"]["resourceVersion"] = std::to_string(kv.mod_revision);
  if (auto m = obj["metadata"].find("labels"); m != obj["metadata"].end()) entry->labels = *m;
  if (indexer_) indexer_(kv.key, obj, *entry);
  entry->bytes = std::make_shared<const std::string>(obj.dump());
  return entry;
}

Result<void> WatchCache::relist() {
  std::map<std::string, EntryPtr> fresh;
  kv::RangeRequest req;
  req.key = options_.prefix;
  req.range_end = kv::prefix_end(options_.prefix);
  req.limit = 1000;
  int64_t revision = 0;
  for (;;) {
    req.revision = revision;
    auto resp = store_.range(req);
    if (!resp) return std::unexpected(resp.error());
    if (revision == 0) revision = resp->revision;
    for (const auto& kv : resp->kvs) {
      if (auto e = make_entry(kv)) fresh.emplace(kv.key, std::move(e));
    }
    if (!resp->more || resp->kvs.empty()) break;
    req.key = resp->kvs.back().key + '\0';
  }
  std::unique_ptr<kv::Watch> old;
  {
    std::lock_guard lock(mu_);
    objects_ = std::move(fresh);
    history_.clear();
    bool had_watchers = !watchers_.empty();
    rv_ = revision;
    oldest_rv_ = revision;
    if (had_watchers) {
      CacheEvent closed{CacheEvent::Type::Closed, nullptr, nullptr, rv_};
      for (auto& [id, w] : watchers_) w.options.sink(closed);
      watchers_.clear();
    }
    old = std::move(store_watch_);
    ++generation_;
  }
  if (old) old->cancel();
  start_store_watch(revision + 1);
  rev_cv_.notify_all();
  return {};
}

void WatchCache::start_store_watch(int64_t from_rev) {
  kv::WatchRequest wr;
  wr.key = options_.prefix;
  wr.range_end = kv::prefix_end(options_.prefix);
  wr.start_revision = from_rev;
  uint64_t gen;
  {
    std::lock_guard lock(mu_);
    gen = ++generation_;
  }
  // Not under mu_: the store may need its own thread (which calls back into us) to set up.
  auto w = store_.watch(wr, [this, gen](kv::WatchUpdate u) { on_update(gen, std::move(u)); });
  std::unique_lock lock(mu_);
  if (!w) {
    KITE_LOG(warn, "watch-cache") << "starting datastore watch: " << w.error().message();
    watch_broken_ = true;
    return;
  }
  if (gen != generation_) {
    lock.unlock();
    (*w)->cancel();
    return;
  }
  watch_broken_ = false;
  store_watch_ = std::move(*w);
}

void WatchCache::on_update(uint64_t gen, kv::WatchUpdate update) {
  std::lock_guard lock(mu_);
  if (gen != generation_) return;  // a callback of a watch we already replaced
  if (update.error) {
    KITE_LOG(warn, "watch-cache") << "datastore watch ended: " << update.error->message();
    watch_broken_ = true;
    if (update.error->reason() == Reason::Gone) oldest_rv_ = INT64_MAX;  // forces a relist
    stop_cv_.notify_all();
    return;
  }
  int64_t max_rev = rv_;
  for (const auto& ev : update.events) {
    apply_event_locked(ev);
    max_rev = std::max(max_rev, ev.kv.mod_revision);
  }
  // A progress notification (no events) says everything up to its revision was delivered.
  if (update.events.empty()) max_rev = std::max(max_rev, update.revision);
  if (max_rev > rv_) rv_ = max_rev;
  rev_cv_.notify_all();
}

void WatchCache::apply_event_locked(const kv::Event& ev) {
  CacheEvent ce;
  ce.rv = ev.kv.mod_revision;
  auto it = objects_.find(ev.kv.key);
  EntryPtr prev = it == objects_.end() ? nullptr : it->second;
  if (ev.type == kv::Event::Type::Delete) {
    if (!prev) return;
    // The last state, stamped with the deletion's revision as Kubernetes does.
    auto last = std::make_shared<CacheEntry>(*prev);
    json obj = json::parse(*prev->bytes, nullptr, false);
    if (obj.is_object()) {
      obj["metadata"]["resourceVersion"] = std::to_string(ev.kv.mod_revision);
      last->bytes = std::make_shared<const std::string>(obj.dump());
    }
    last->rv = ev.kv.mod_revision;
    objects_.erase(it);
    ce.type = CacheEvent::Type::Deleted;
    ce.entry = std::move(last);
    ce.prev = prev;
  } else {
    auto entry = make_entry(ev.kv);
    if (!entry) return;
    objects_[ev.kv.key] = entry;
    ce.type = prev ? CacheEvent::Type::Modified : CacheEvent::Type::Added;
    ce.entry = std::move(entry);
    ce.prev = prev;
  }
  history_.push_back(ce);
  while (history_.size() > options_.history_capacity) {
    oldest_rv_ = history_.front().rv;
    history_.pop_front();
  }
  dispatch_locked(ce);
  for (auto& l : listeners_) l(ce);
}

bool WatchCache::deliver_locked(Watcher& w, const CacheEvent& ev) {
  const auto& o = w.options;
  if (ev.type == CacheEvent::Type::Bookmark || ev.type == CacheEvent::Type::Closed) return o.sink(ev);
  if (!ev.entry->key.starts_with(o.prefix)) return true;
  if (ev.rv <= o.from_rv) return true;
  if (!o.filter) return o.sink(ev);
  bool now = o.filter(*ev.entry);
  bool before = ev.prev && o.filter(*ev.prev);
  if (ev.type == CacheEvent::Type::Deleted) return before || now ? o.sink(ev) : true;
  if (now && before) return o.sink(ev);
  if (now) {
    CacheEvent added = ev;
    added.type = CacheEvent::Type::Added;
    return o.sink(added);
  }
  if (before) {
    CacheEvent gone = ev;
    gone.type = CacheEvent::Type::Deleted;
    return o.sink(gone);
  }
  return true;
}

void WatchCache::dispatch_locked(const CacheEvent& ev) {
  for (auto it = watchers_.begin(); it != watchers_.end();) {
    if (!deliver_locked(it->second, ev)) {
      it = watchers_.erase(it);
    } else {
      ++it;
    }
  }
}

int64_t WatchCache::revision() const {
  std::lock_guard lock(mu_);
  return rv_;
}

bool WatchCache::wait_for_revision(int64_t rev, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return rev_cv_.wait_for(lock, timeout, [&] { return rv_ >= rev; });
}

Result<int64_t> WatchCache::sync_to_latest(std::chrono::milliseconds timeout) {
  auto rev = latest_revision_.latest();
  if (!rev) return std::unexpected(rev.error());
  auto deadline = std::chrono::steady_clock::now() + timeout;
  if (wait_for_revision(*rev, std::chrono::milliseconds(20))) return *rev;
  // The newest revision may belong to a key outside our prefix: ask for a progress report,
  // again every 100 ms (the store ignores reports it cannot trust yet, see etcd_watch_stream).
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (store_watch_) store_watch_->request_progress();
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    if (wait_for_revision(*rev, std::min(left, std::chrono::milliseconds(100)))) return *rev;
  }
  return base::error(Reason::Timeout, "Too large resource version: the watch cache did not reach revision " +
                                          std::to_string(*rev) + " in time");
}

EntryPtr WatchCache::get(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  return it == objects_.end() ? nullptr : it->second;
}

WatchCache::ListResult WatchCache::list(const std::string& prefix, const EntryFilter& filter,
                                        const std::string& start_after, size_t limit) const {
  ListResult out;
  std::lock_guard lock(mu_);
  out.revision = rv_;
  auto it = start_after.empty() ? objects_.lower_bound(prefix) : objects_.upper_bound(start_after);
  for (; it != objects_.end() && it->first.starts_with(prefix); ++it) {
    if (filter && !filter(*it->second)) continue;
    if (limit > 0 && out.items.size() >= limit) {
      out.more = true;
      ++out.remaining;
      continue;
    }
    out.items.push_back(it->second);
  }
  return out;
}

Result<std::unique_ptr<CacheWatcher>> WatchCache::watch(WatchOptions options) {
  std::lock_guard lock(mu_);
  if (!options.initial_state && options.from_rv < oldest_rv_) {
    return base::error(base::Status(Reason::Gone, "too old resource version: " + std::to_string(options.from_rv) +
                                                      " (" + std::to_string(oldest_rv_) + ")"));
  }
  uint64_t id = next_watcher_id_++;
  Watcher w{std::move(options)};
  bool alive = true;
  if (w.options.initial_state) {
    for (auto it = objects_.lower_bound(w.options.prefix);
         alive && it != objects_.end() && it->first.starts_with(w.options.prefix); ++it) {
      if (w.options.filter && !w.options.filter(*it->second)) continue;
      alive = w.options.sink(CacheEvent{CacheEvent::Type::Added, it->second, nullptr, it->second->rv});
    }
    w.options.from_rv = rv_;
  } else {
    for (const auto& ev : history_) {
      if (!alive) break;
      alive = deliver_locked(w, ev);
    }
  }
  auto handle = std::make_unique<CacheWatcher>();
  if (!alive) return handle;  // the sink refused: nothing registered
  watchers_.emplace(id, std::move(w));
  handle->cache_ = this;
  handle->id_ = id;
  return handle;
}

void WatchCache::remove_watcher(uint64_t id) {
  std::lock_guard lock(mu_);
  watchers_.erase(id);
}

void WatchCache::add_listener(std::function<void(const CacheEvent&)> listener) {
  std::lock_guard lock(mu_);
  listeners_.push_back(std::move(listener));
}

void WatchCache::maintenance_loop() {
  auto next_bookmark = std::chrono::steady_clock::now() + options_.bookmark_interval;
  auto next_compaction = std::chrono::steady_clock::now() + options_.compaction_interval;
  int64_t compact_candidate = 0;
  auto backoff = std::chrono::milliseconds(200);
  while (!stopping_) {
    {
      std::unique_lock lock(stop_mu_);
      stop_cv_.wait_for(lock, std::chrono::milliseconds(250));
    }
    if (stopping_) break;
    bool broken, needs_relist;
    int64_t from;
    {
      std::lock_guard lock(mu_);
      broken = watch_broken_;
      needs_relist = oldest_rv_ == INT64_MAX;
      from = rv_ + 1;
    }
    if (broken) {
      std::unique_ptr<kv::Watch> old;
      {
        std::lock_guard lock(mu_);
        old = std::move(store_watch_);
        ++generation_;
      }
      if (old) old->cancel();
      if (needs_relist) {
        if (auto r = relist(); !r) {
          KITE_LOG(warn, "watch-cache") << "relist failed: " << r.error().message();
          std::unique_lock lock(stop_mu_);
          stop_cv_.wait_for(lock, backoff);
          backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
          std::lock_guard lk(mu_);
          watch_broken_ = true;
          continue;
        }
      } else {
        start_store_watch(from);
      }
      std::lock_guard lock(mu_);
      if (!watch_broken_) {
        backoff = std::chrono::milliseconds(200);
        KITE_LOG(info, "watch-cache") << "datastore watch re-established at revision " << rv_;
      }
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= next_bookmark) {
      next_bookmark = now + options_.bookmark_interval;
      std::lock_guard lock(mu_);
      CacheEvent bm{CacheEvent::Type::Bookmark, nullptr, nullptr, rv_};
      for (auto it = watchers_.begin(); it != watchers_.end();) {
        // Every watcher gets the tick (it decides whether to send a bookmark), which also
        // removes watchers whose clients went away on quiet resources.
        if (!it->second.options.sink(bm)) {
          it = watchers_.erase(it);
        } else {
          ++it;
        }
      }
    }
    if (options_.compaction_interval.count() > 0 && now >= next_compaction) {
      next_compaction = now + options_.compaction_interval;
      // Compact to the revision seen one interval ago, so recent history stays watchable.
      if (compact_candidate > 0) {
        if (auto r = store_.compact(compact_candidate); !r && r.error().reason() != Reason::Gone) {
          KITE_LOG(warn, "watch-cache") << "compaction: " << r.error().message();
        }
      }
      compact_candidate = revision();
    }
  }
}

}  // namespace kite::apiserver
