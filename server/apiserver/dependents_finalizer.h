// DependentsFinalizer: acts on the `orphan` and `foregroundDeletion` finalizers that a delete
// with propagationPolicy Orphan / Foreground records on an object.
//
// Orphan: removes the object from every dependent's ownerReferences, then drops the
// finalizer (the object then goes away). Foreground: deletes the dependents, and drops the
// finalizer once none is left. Works through the API itself (internal requests). A cache
// listener keeps the set of objects waiting on one of these finalizers, so the once-a-second
// pass costs nothing while none waits. The control plane's garbage collector takes this over
// together with background cascading.
#pragma once

#include <functional>
#include <mutex>
#include <set>

#include "base/periodic_thread.h"
#include "server/apiserver/rest.h"

namespace kite::apiserver {

class DependentsFinalizer {
 public:
  DependentsFinalizer(ServerState& state, std::function<Response(Request&)> call);
  void start();
  void stop();

 private:
  void scan();
  void note(const CacheEvent& ev);
  // Returns true when the owner has no dependents left.
  bool handle_dependents(const std::string& owner_uid, bool orphan);
  void remove_finalizer(const EntryPtr& owner, const json& obj, const std::string& finalizer);

  ServerState& state_;
  std::function<Response(Request&)> call_;
  base::PeriodicThread thread_;
  std::mutex mu_;
  std::set<std::string> waiting_;  // keys of objects waiting on orphan/foregroundDeletion
};

}  // namespace kite::apiserver
