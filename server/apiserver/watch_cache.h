// WatchCache: the API server's in-memory view of every object under the datastore prefix
// ("/registry/"), fed by one datastore watch, serving GET, LIST and WATCH.
//
// Each object is encoded once (its stored JSON with metadata.resourceVersion filled in) and
// shared by every list and watcher as immutable bytes. Lists are key-ordered range scans;
// watchers get events from a bounded history (`history_capacity` events), so a watch can
// resume from any resourceVersion still in it and gets Gone for older ones.
//
// Threads: start() lists synchronously, then datastore watch callbacks (a store thread) apply
// changes under the cache mutex and call watcher sinks under that mutex, in revision order.
// Sinks must not block (they push into a bounded ResponseStream). A maintenance thread
// re-establishes the datastore watch after failures (relisting if the history was compacted),
// sends bookmarks and compacts the datastore periodically. All public methods are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "server/apiserver/revision_coalescer.h"
#include "server/kv/store.h"

namespace kite::apiserver {

struct CacheEntry {
  std::string key;
  int64_t rv = 0;  // the object's mod revision = metadata.resourceVersion
  std::shared_ptr<const std::string> bytes;  // JSON with metadata.resourceVersion
  nlohmann::json labels;                     // metadata.labels (object or null)
  std::map<std::string, std::string> fields; // selectable field values, from the Indexer
};
using EntryPtr = std::shared_ptr<const CacheEntry>;

struct CacheEvent {
  enum class Type { Added, Modified, Deleted, Bookmark, Closed };
  Type type = Type::Added;
  EntryPtr entry;  // Added/Modified: the new state; Deleted: the last state
  EntryPtr prev;   // Modified/Deleted: the previous state (null for Added)
  int64_t rv = 0;  // the event's revision (Bookmark: the cache revision)
};

// Fills CacheEntry::fields for an object (the API server knows each kind's selectable fields).
using Indexer = std::function<void(const std::string& key, const nlohmann::json& object, CacheEntry& entry)>;
using EntryFilter = std::function<bool(const CacheEntry&)>;

class WatchCache;

// A registered watcher; destroying or cancelling it stops delivery.
class CacheWatcher {
 public:
  ~CacheWatcher();
  void cancel();
  // Forgets the watcher without cancelling it: it then lives until its sink returns false.
  // (For sinks that may be torn down from inside a delivery, where cancel() would deadlock.)
  void detach();

 private:
  friend class WatchCache;
  WatchCache* cache_ = nullptr;
  uint64_t id_ = 0;
};

class WatchCache {
 public:
  struct Options {
    std::string prefix = "/registry/";
    size_t history_capacity = 10000;
    std::chrono::seconds bookmark_interval{5};
    std::chrono::seconds compaction_interval{300};  // 0 = never compact
  };

  WatchCache(kv::Store& store, Indexer indexer, Options options);
  ~WatchCache();

  // Lists everything under the prefix and starts watching. Blocks until the first list is
  // done (errors from the store are returned).
  base::Result<void> start();
  void stop();

  int64_t revision() const;
  // Waits until the cache has applied revision `rev`; false on timeout.
  bool wait_for_revision(int64_t rev, std::chrono::milliseconds timeout);
  // Consistent read point: asks the store for its current revision and waits for the cache
  // to reach it. Returns that revision; ServiceUnavailable/Timeout when the store is down or
  // the cache does not catch up in time.
  base::Result<int64_t> sync_to_latest(std::chrono::milliseconds timeout);

  EntryPtr get(const std::string& key) const;

  struct ListResult {
    std::vector<EntryPtr> items;
    int64_t revision = 0;
    bool more = false;       // more matching items after the last returned
    int64_t remaining = 0;   // how many more matching items
  };
  // Matching entries with keys under `prefix`, in key order, after `start_after` (exclusive;
  // "" = from the start), at most `limit` (0 = all).
  ListResult list(const std::string& prefix, const EntryFilter& filter, const std::string& start_after,
                  size_t limit) const;

  struct WatchOptions {
    std::string prefix;
    // Deliver events with revision > from_rv. With initial_state, first deliver every
    // current matching object as Added (a watch without resourceVersion or with "0").
    int64_t from_rv = 0;
    bool initial_state = false;
    EntryFilter filter;  // null = everything
    // Receives events (already adjusted for the filter: an object that stops matching
    // arrives as Deleted, one that starts matching as Added). Returning false removes the
    // watcher. A Closed event means the cache dropped all watchers (relist). Bookmark events
    // arrive every bookmark_interval; the sink decides whether to forward them.
    std::function<bool(const CacheEvent&)> sink;
  };
  // Gone (410, "too old resource version") when from_rv is older than the history.
  base::Result<std::unique_ptr<CacheWatcher>> watch(WatchOptions options);

  // Runs for every change, in order, after watchers (e.g. CRD registration). Under the cache
  // mutex: must not call back into the cache.
  void add_listener(std::function<void(const CacheEvent&)> listener);

 private:
  friend class CacheWatcher;
  struct Watcher {
    WatchOptions options;
  };

  base::Result<void> relist();
  void start_store_watch(int64_t from_rev);
  void on_update(uint64_t gen, kv::WatchUpdate update);
  void apply_event_locked(const kv::Event& ev);
  void dispatch_locked(const CacheEvent& ev);
  bool deliver_locked(Watcher& w, const CacheEvent& ev);
  EntryPtr make_entry(const kv::KeyValue& kv) const;
  void remove_watcher(uint64_t id);
  void maintenance_loop();

  kv::Store& store_;
  Indexer indexer_;
  Options options_;
  RevisionCoalescer latest_revision_;

  mutable std::mutex mu_;
  std::condition_variable rev_cv_;
  std::map<std::string, EntryPtr> objects_;
  std::deque<CacheEvent> history_;
  int64_t oldest_rv_ = 0;  // watches from rv >= oldest_rv_ can be served from history
  int64_t rv_ = 0;
  std::map<uint64_t, Watcher> watchers_;
  uint64_t next_watcher_id_ = 1;
  std::vector<std::function<void(const CacheEvent&)>> listeners_;
  std::unique_ptr<kv::Watch> store_watch_;
  bool watch_broken_ = false;
  uint64_t generation_ = 0;  // bumps on every store watch (re)start; stale callbacks are ignored

  std::atomic<bool> stopping_{false};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  std::thread maintenance_;
};

}  // namespace kite::apiserver
