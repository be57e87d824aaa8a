// FakeClient's private state (internal to client/): the object store per resource, the
// bounded change history that watches replay from, the open watches, recorded actions and
// injected failures, plus the server rules (create/update/delete preparation) it mirrors from
// server/apiserver. Everything here is guarded by FakeClient::State::mu, except each
// FakeWatch's queue, which has its own lock (taken after mu, never before).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/resource.h"
#include "api/selector/field_selector.h"
#include "api/selector/label_selector.h"
#include "client/fake_client.h"

namespace kite::client::fake {

using ObjectPtr = std::shared_ptr<const json>;

// Which objects one watch or list selects.
struct Filter {
  std::string resource_id;
  std::string ns;  // "" = all namespaces
  api::LabelSelector labels;
  api::FieldSelector fields;
  api::ResourceInfoPtr info;  // null for resources the registry does not know
  bool namespaced = true;
  bool matches(const json& obj) const;
};

// One open watch: a queue of events filled under the FakeClient's lock, drained by next().
class FakeWatch final : public WatchStream, public std::enable_shared_from_this<FakeWatch> {
 public:
  explicit FakeWatch(Filter filter) : filter_(std::move(filter)) {}
  std::optional<WatchEvent> next() override;
  void stop() override;

  const Filter& filter() const { return filter_; }
  void push(WatchEvent event);
  // Queues a final event (if any) and ends the stream after it.
  void close(std::optional<WatchEvent> last);
  bool closed() const;

 private:
  Filter filter_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<WatchEvent> events_;
  bool closed_ = false;
};

// A stored change: old_obj null for an add, obj null for a delete (old_obj then carries the
// deletion's resourceVersion).
struct Change {
  uint64_t rv = 0;
  std::string resource_id;
  ObjectPtr old_obj;
  ObjectPtr obj;
};

// The watch event `change` means to a watch with `filter`, if any (objects that move into or
// out of the selection become ADDED / DELETED, as the API server's watch cache does).
std::optional<WatchEvent> event_for(const Filter& filter, const Change& change);

// Registry lookups and the rules the API server applies to writes.
api::ResourceInfoPtr resource_info(const ResourceRef& r);
std::string resource_id(const ResourceRef& r);
std::string qualified(const ResourceRef& r);
base::Status not_found(const ResourceRef& r, const std::string& name);
base::Status already_exists(const ResourceRef& r, const std::string& name);
base::Status conflict(const ResourceRef& r, const std::string& name, const std::string& why);
bool tracks_generation(const ResourceRef& r, const api::ResourceInfo* info);
bool has_status_subresource(const api::ResourceInfo* info);
bool is_kind(const ResourceRef& r, const char* plural);  // core-group resource by plural
// Fills kind/apiVersion when missing.
void set_type_meta(const ResourceRef& r, const api::ResourceInfo* info, json& obj);
// What the server does to a new object before storing it (server-owned metadata dropped,
// generation 1, initial status per kind); defaults are applied after uid and the Job
// selector are set.
void prepare_for_create(const ResourceRef& r, const api::ResourceInfo* info, json& obj);
// The mutating admission the server applies (Secret stringData -> data; on pod create the
// default service account and the 300 s not-ready/unreachable tolerations).
base::Status admit_mutations(const ResourceRef& r, json& obj, bool create);
// A Job without manualSelector gets the controller-uid / job-name labels and selector.
void generate_job_selector(const ResourceRef& r, json& obj);
// What the server does to a replacement: server-owned metadata and (for resources with a
// status subresource) the status are kept from `old_obj`; a status update changes only the
// status. Then defaults and the generation bump.
void prepare_for_update(const ResourceRef& r, const api::ResourceInfo* info, const json& old_obj, json& obj,
                        bool status_only);
bool has_finalizers(const json& obj);
bool is_deleting(const json& obj);
// Builds a Filter from list/watch options (BadRequest on bad selectors / unsupported fields).
base::Result<Filter> make_filter(const ResourceRef& r, const std::string& ns, const ListOptions& opts);

}  // namespace kite::client::fake

namespace kite::client {

struct FakeClient::State {
  mutable std::mutex mu;
  uint64_t rv = 1;  // like etcd, an empty store is at revision 1 (lists never answer "0")
  // resource id -> object key -> object.
  std::map<std::string, std::map<std::string, fake::ObjectPtr>> objects;
  std::deque<fake::Change> history;
  uint64_t compacted_rv = 0;  // every change up to this version has been dropped from history
  size_t history_limit = 100000;
  std::list<std::shared_ptr<fake::FakeWatch>> watches;
  std::vector<FakeAction> actions;
  std::map<std::pair<std::string, std::string>, base::Status> failures;
  const base::Clock* clock = &base::real_clock();
  std::chrono::system_clock::time_point now() const { return clock->now(); }

  // All require mu.
  std::string next_rv() { return std::to_string(++rv); }
  // Records the action and returns the injected failure for it, if any.
  std::optional<base::Status> record(FakeAction action);
  // Stores / removes an object and tells the watches. `obj` already carries its new rv.
  fake::ObjectPtr put(const std::string& rid, const std::string& key, json obj);
  void erase(const std::string& rid, const std::string& key, const fake::ObjectPtr& last);
  void publish(fake::Change change);
  fake::ObjectPtr find(const std::string& rid, const std::string& key) const;

  // The write paths shared by the verbs (mu held).
  base::Result<json> update_locked(const ResourceRef& r, json obj, const std::string& subresource);
  base::Result<json> delete_locked(const ResourceRef& r, const std::string& ns, const std::string& name,
                                   const DeleteOptions& opts);
  base::Result<json> bind_locked(const ResourceRef& r, const std::string& ns, const std::string& name,
                                 const json& body);
  base::Result<json> evict_locked(const ResourceRef& r, const std::string& ns, const std::string& name,
                                  const json& body);
};

}  // namespace kite::client
