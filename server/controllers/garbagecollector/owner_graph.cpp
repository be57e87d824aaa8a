#include "server/controllers/garbagecollector/owner_graph.h"

namespace kite::controllers::gc {

std::string uid_of(const json& obj) {
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) return "";
  auto u = m->find("uid");
  return u != m->end() && u->is_string() ? u->get<std::string>() : "";
}

json owner_references(const json& obj) {
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) return json::array();
  auto refs = m->find("ownerReferences");
  return refs != m->end() && refs->is_array() ? *refs : json::array();
}

bool is_deleting(const json& obj) {
  auto m = obj.find("metadata");
  return m != obj.end() && m->is_object() && m->contains("deletionTimestamp") && !(*m)["deletionTimestamp"].is_null();
}

bool has_finalizer(const json& obj, const std::string& finalizer) {
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) return false;
  auto f = m->find("finalizers");
  if (f == m->end() || !f->is_array()) return false;
  for (const auto& x : *f) {
    if (x.is_string() && x.get<std::string>() == finalizer) return true;
  }
  return false;
}

void OwnerGraph::unlink(const std::string& uid, const json& obj) {
  for (const auto& ref : owner_references(obj)) {
    std::string owner = ref.value("uid", "");
    auto it = dependents_.find(owner);
    if (it == dependents_.end()) continue;
    it->second.erase(uid);
    if (it->second.empty()) dependents_.erase(it);
  }
}

client::ObjectPtr OwnerGraph::upsert(size_t resource, const client::ObjectPtr& obj) {
  std::string uid = uid_of(*obj);
  if (uid.empty()) return nullptr;
  std::lock_guard lock(mu_);
  client::ObjectPtr old;
  auto it = nodes_.find(uid);
  if (it != nodes_.end()) {
    old = it->second.object;
    unlink(uid, *old);
  }
  nodes_[uid] = GraphNode{resource, obj};
  for (const auto& ref : owner_references(*obj)) {
    std::string owner = ref.value("uid", "");
    if (!owner.empty()) dependents_[owner].insert(uid);
  }
  return old;
}

void OwnerGraph::erase(const client::ObjectPtr& obj) {
  std::string uid = uid_of(*obj);
  std::lock_guard lock(mu_);
  auto it = nodes_.find(uid);
  if (it == nodes_.end()) return;
  unlink(uid, *it->second.object);
  nodes_.erase(it);
}

std::optional<GraphNode> OwnerGraph::node(const std::string& uid) const {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(uid);
  if (it == nodes_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> OwnerGraph::dependents(const std::string& owner_uid) const {
  std::lock_guard lock(mu_);
  auto it = dependents_.find(owner_uid);
  if (it == dependents_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

size_t OwnerGraph::size() const {
  std::lock_guard lock(mu_);
  return nodes_.size();
}

}  // namespace kite::controllers::gc
