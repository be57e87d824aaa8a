#include "scheduler/scheduler_cache.h"

namespace kite::scheduler {

NodeInfo& SchedulerCache::node_locked(const std::string& name) {
  auto& slot = nodes_[name];
  if (!slot) slot = std::make_shared<NodeInfo>();
  return *slot;
}

void SchedulerCache::touch_locked(const std::string& name, NodeInfo& node) {
  node.generation = ++generation_;
  dirty_.insert(name);
}

NodeChange SchedulerCache::upsert_node(const nlohmann::json& obj) {
  NodeSpecInfo spec = parse_node(obj);
  std::lock_guard lock(mu_);
  std::string name = spec.name;
  NodeInfo& node = node_locked(name);
  NodeChange change;
  if (!node.has_node()) {
    change.added = true;
  } else {
    const NodeSpecInfo& old = node.spec();
    change.labels = old.labels != spec.labels || old.arch != spec.arch;
    change.taints = old.taints != spec.taints;
    change.unschedulable = old.unschedulable != spec.unschedulable;
    change.allocatable = old.allocatable != spec.allocatable;
    change.images = old.images != spec.images;
    if (!change.any()) return change;
  }
  if (change.added || change.images) images_dirty_ = true;
  node.set_spec(std::move(spec));
  touch_locked(name, node);
  return change;
}

void SchedulerCache::remove_node(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(name);
  if (it == nodes_.end()) return;
  images_dirty_ = true;
  dirty_.insert(name);
  // Pods may still name the node (they go when their own deletes arrive): keep a node-less
  // entry for them, which snapshots leave out.
  if (it->second->pods().empty()) {
    nodes_.erase(it);
  } else {
    it->second->clear_node();
    it->second->generation = ++generation_;
  }
}

void SchedulerCache::remove_pod_locked(const std::string& key) {
  auto it = pods_.find(key);
  if (it == pods_.end()) return;
  const std::string node_name = it->second.pod->node_name;
  pods_.erase(it);
  auto n = nodes_.find(node_name);
  if (n == nodes_.end()) return;
  n->second->remove_pod(key);
  touch_locked(node_name, *n->second);
  if (!n->second->has_node() && n->second->pods().empty()) nodes_.erase(n);
}

void SchedulerCache::add_pod(PodInfoPtr pod) {
  std::lock_guard lock(mu_);
  remove_pod_locked(pod->key);
  if (pod->terminal() || pod->node_name.empty()) return;
  NodeInfo& node = node_locked(pod->node_name);
  node.add_pod(pod);
  touch_locked(pod->node_name, node);
  const std::string key = pod->key;
  pods_[key] = PodState{std::move(pod), false};
}

void SchedulerCache::remove_pod(const std::string& key) {
  std::lock_guard lock(mu_);
  remove_pod_locked(key);
}

void SchedulerCache::assume_pod(PodInfoPtr pod) {
  std::lock_guard lock(mu_);
  remove_pod_locked(pod->key);
  NodeInfo& node = node_locked(pod->node_name);
  node.add_pod(pod);
  touch_locked(pod->node_name, node);
  const std::string key = pod->key;
  pods_[key] = PodState{std::move(pod), true};
}

void SchedulerCache::forget_pod(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = pods_.find(key);
  if (it == pods_.end() || !it->second.assumed) return;
  remove_pod_locked(key);
}

bool SchedulerCache::is_assumed(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = pods_.find(key);
  return it != pods_.end() && it->second.assumed;
}

bool SchedulerCache::contains_pod(const std::string& key) const {
  std::lock_guard lock(mu_);
  return pods_.count(key) > 0;
}

void SchedulerCache::update_snapshot(Snapshot& s) {
  std::lock_guard lock(mu_);
  if (dirty_.empty()) return;
  for (const auto& name : dirty_) {
    auto it = nodes_.find(name);
    auto pos = s.index.find(name);
    const bool present = it != nodes_.end() && it->second->has_node();
    if (present) {
      auto copy = std::make_shared<const NodeInfo>(*it->second);
      s.account_controller_pods(*copy, 1);
      if (pos == s.index.end()) {
        s.index[name] = s.nodes.size();
        s.nodes.push_back(std::move(copy));
      } else {
        s.account_controller_pods(*s.nodes[pos->second], -1);
        s.nodes[pos->second] = std::move(copy);
      }
    } else if (pos != s.index.end()) {
      size_t i = pos->second;
      s.account_controller_pods(*s.nodes[i], -1);
      s.index.erase(pos);
      if (i != s.nodes.size() - 1) {
        s.nodes[i] = std::move(s.nodes.back());
        s.index[s.nodes[i]->name()] = i;
      }
      s.nodes.pop_back();
    }
  }
  dirty_.clear();
  s.rebuild_affinity_lists();  // its pointers name the replaced NodeInfos
  if (images_dirty_) s.rebuild_image_counts();
  images_dirty_ = false;
  s.generation = generation_;
}

size_t SchedulerCache::node_count() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [name, node] : nodes_)
    if (node->has_node()) ++n;
  return n;
}

size_t SchedulerCache::pod_count() const {
  std::lock_guard lock(mu_);
  return pods_.size();
}

}  // namespace kite::scheduler
