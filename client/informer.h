// Informer: a list-watch cache of one resource (optionally one namespace / label selector),
// shared by every controller that reads it, with event handlers and secondary indexes.
//
// start() lists, fills the store, then watches from the list's resourceVersion with bookmarks;
// when the watch ends it re-watches from the last seen version, and on 410 Gone (or any list
// error) it relists with backoff and delivers the difference as adds/updates/deletes. A
// non-zero resync period re-delivers every object as an update (old == new) periodically.
//
// Handlers run on the informer's own thread, one at a time, in event order, after the store
// has been updated; they must not block for long (controllers only enqueue keys). Delete
// handlers get the last known state of the object. Store reads (get/list/by_index) are
// thread-safe from any thread and return shared immutable snapshots.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/client.h"

namespace kite::client {

using ObjectPtr = std::shared_ptr<const json>;

struct EventHandlers {
  std::function<void(const ObjectPtr& obj)> on_add;
  std::function<void(const ObjectPtr& old_obj, const ObjectPtr& new_obj)> on_update;
  std::function<void(const ObjectPtr& obj)> on_delete;
};

// An index function: the index values an object is filed under (none, one or many).
using IndexFunc = std::function<std::vector<std::string>(const json& obj)>;

// Standard indexes.
inline constexpr const char* kIndexNamespace = "namespace";  // metadata.namespace
inline constexpr const char* kIndexOwnerUid = "owner-uid";   // every ownerReferences[].uid
inline constexpr const char* kIndexNodeName = "node-name";   // spec.nodeName (pods)
std::vector<std::string> index_by_namespace(const json& obj);
std::vector<std::string> index_by_owner_uid(const json& obj);
std::vector<std::string> index_by_node_name(const json& obj);

class Informer {
 public:
  Informer(Client& client, ResourceRef resource, std::string ns = "", ListOptions selectors = {},
           std::chrono::milliseconds resync_period = std::chrono::milliseconds(0));
  ~Informer();  // stops
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Before start(): handlers and indexes. add_handlers after start() is allowed too; the new
  // handler first gets an add for every object already in the store.
  void add_handlers(EventHandlers handlers);
  void add_index(const std::string& name, IndexFunc fn);

  void start();
  void stop();  // joins the thread; idempotent
  // True once the first list has been stored and delivered to handlers.
  bool has_synced() const;
  bool wait_for_sync(std::chrono::milliseconds timeout) const;

  ObjectPtr get(const std::string& key) const;  // null when absent
  std::vector<ObjectPtr> list() const;
  std::vector<ObjectPtr> by_index(const std::string& index, const std::string& value) const;
  // The resourceVersion of the newest event or list applied to the store.
  std::string last_resource_version() const;

  const ResourceRef& resource() const { return resource_; }

 private:
  struct State;
  void run();         // the list-watch loop (informer thread)
  void run_resync();  // the resync timer (resync thread)
  bool relist();
  bool watch_once(bool* made_progress);

  Client& client_;
  ResourceRef resource_;
  std::string ns_;
  ListOptions selectors_;
  std::chrono::milliseconds resync_period_;
  std::unique_ptr<State> state_;
};

// InformerFactory: one shared Informer per resource (all namespaces, no selector), so several
// controllers share one cache. informer() may be called before or after start_all(); an
// informer created after start_all() is started at once.
class InformerFactory {
 public:
  explicit InformerFactory(Client& client, std::chrono::milliseconds resync_period = std::chrono::milliseconds(0));
  ~InformerFactory();
  Informer& informer(const ResourceRef& resource);
  void start_all();
  void stop_all();
  // Waits until every informer created so far has synced.
  bool wait_for_sync(std::chrono::milliseconds timeout);
  Client& client() { return client_; }

 private:
  Client& client_;
  std::chrono::milliseconds resync_period_;
  std::mutex mu_;
  bool started_ = false;
  std::vector<std::pair<ResourceRef, std::unique_ptr<Informer>>> informers_;
};

}  // namespace kite::client
