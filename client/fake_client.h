// FakeClient: an in-memory Client for unit tests of controllers and the scheduler.
//
// Keeps objects per resource in a map with a cluster-wide resourceVersion counter; create
// fills uid, creationTimestamp, resourceVersion, generation (and generateName), update checks
// resourceVersion when given (Conflict), remove honours finalizers (sets deletionTimestamp)
// and otherwise deletes. The "status" subresource updates only .status; other subresources
// (pods/binding sets spec.nodeName, pods/eviction deletes) are handled as the server does in
// the simple case. Label and field selectors on list/watch support equality (=, ==, !=) and
// the set forms, via api/selector. Watches deliver every later change; 410 Gone can be
// forced for tests of relist. Every call is recorded (`actions()`) so tests can assert what a
// controller did, and errors can be injected per verb+resource. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/clock.h"
#include "client/client.h"

namespace kite::client {

struct FakeAction {
  std::string verb;  // get, list, create, update, patch, delete, watch, create-<subresource>, update-<subresource>
  std::string resource;  // plural
  std::string ns;
  std::string name;
  json object;  // body sent (create/update/patch), if any
};

class FakeClient final : public Client {
 public:
  FakeClient();
  ~FakeClient() override;

  base::Result<json> get(const ResourceRef& r, const std::string& ns, const std::string& name) override;
  base::Result<json> list(const ResourceRef& r, const std::string& ns, const ListOptions& opts = {}) override;
  base::Result<json> create(const ResourceRef& r, const std::string& ns, const json& obj) override;
  base::Result<json> update(const ResourceRef& r, const json& obj, const std::string& subresource = "") override;
  base::Result<json> patch(const ResourceRef& r, const std::string& ns, const std::string& name, PatchType type,
                           const json& patch, const std::string& subresource = "") override;
  base::Result<json> remove(const ResourceRef& r, const std::string& ns, const std::string& name,
                            const DeleteOptions& opts = {}) override;
  base::Result<json> create_subresource(const ResourceRef& r, const std::string& ns, const std::string& name,
                                        const std::string& subresource, const json& body) override;
  base::Result<std::unique_ptr<WatchStream>> watch(const ResourceRef& r, const std::string& ns,
                                                   const ListOptions& opts = {}) override;

  // Test helpers.
  // Stores `obj` as is (filling uid/resourceVersion/creationTimestamp when missing), without
  // recording an action.
  json seed(const ResourceRef& r, json obj);
  std::vector<FakeAction> actions() const;
  void clear_actions();
  // Makes the next calls of `verb` on `resource` fail with `status` (until cleared).
  void fail(const std::string& verb, const std::string& resource, base::Status status);
  void clear_failures();
  // Ends every open watch with a 410 Gone error event.
  void expire_watches();
  // Ends every open watch without an error, as a server-side watch timeout does (clients
  // re-watch from their last version; nothing is missed).
  void close_watches();
  // Every stored object of a resource (all namespaces).
  std::vector<json> objects(const ResourceRef& r) const;
  // The clock that stamps creationTimestamp, deletionTimestamp and condition times (the real
  // clock by default). Tests that drive a ManualClock pass it here so that object times and
  // the controller's "now" agree. `clock` must outlive the FakeClient.
  void use_clock(const base::Clock* clock);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace kite::client
