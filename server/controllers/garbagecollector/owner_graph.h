// OwnerGraph: the garbage collector's view of ownership, kept from informer events.
//
// Nodes are observed objects by uid (which monitored resource, latest state). The dependents
// index maps an owner uid to the uids of objects whose ownerReferences name it, whether or
// not the owner itself has been observed (an owner missing from the graph may be gone, or
// merely not seen yet: the collector verifies with a live GET before acting on that).
//
// Thread-safe: informer threads write, workers read; reads return copies.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/informer.h"

namespace kite::controllers::gc {

using client::json;

struct GraphNode {
  size_t resource = 0;       // index into monitored_resources()
  client::ObjectPtr object;  // latest observed state
};

class OwnerGraph {
 public:
  // Records the object's latest state; returns the previous one (null when new).
  client::ObjectPtr upsert(size_t resource, const client::ObjectPtr& obj);
  // Forgets the object (keeps the dependents index entries that name it as an owner).
  void erase(const client::ObjectPtr& obj);
  std::optional<GraphNode> node(const std::string& uid) const;
  std::vector<std::string> dependents(const std::string& owner_uid) const;
  size_t size() const;

 private:
  void unlink(const std::string& uid, const json& obj);
  mutable std::mutex mu_;
  std::map<std::string, GraphNode> nodes_;
  std::map<std::string, std::set<std::string>> dependents_;
};

// Small accessors on object metadata.
std::string uid_of(const json& obj);
json owner_references(const json& obj);  // always an array
bool is_deleting(const json& obj);
bool has_finalizer(const json& obj, const std::string& finalizer);

inline constexpr const char* kFinalizerOrphan = "orphan";
inline constexpr const char* kFinalizerForeground = "foregroundDeletion";

}  // namespace kite::controllers::gc
