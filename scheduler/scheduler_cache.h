// SchedulerCache: the scheduler's own view of nodes and of the pods placed on them, fed by
// the Node and Pod informers, plus the pods the scheduler has *assumed* onto a node before
// their binding reached the API server (so the next pods see those resources as taken).
//
// Lifecycle of a scheduled pod: assume_pod() when the scheduling cycle picks a node; then
// either add_pod() from the informer once the binding shows up (the assumed entry is
// confirmed and replaced by the real object), or forget_pod() when the binding failed.
// Pods in phase Succeeded/Failed hold no resources (as the kubelet's admission sees them)
// and are dropped from the cache.
//
// update_snapshot() refreshes a Snapshot, copying only the NodeInfos that changed since the
// last call (a dirty set, like kube-scheduler's per-node generations). The dirty set serves
// one consumer: a cache feeds exactly one Snapshot.
//
// Thread-safe: every method takes the cache's mutex; informer handlers, the scheduling loop
// and binder threads call it concurrently.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "scheduler/cluster_events.h"
#include "scheduler/node_info.h"
#include "scheduler/pod_info.h"
#include "scheduler/snapshot.h"

namespace kite::scheduler {

class SchedulerCache {
 public:
  // Adds or updates a node; says which scheduling-relevant fields changed (none when only
  // heartbeats / conditions moved, and then snapshots do not copy the node).
  NodeChange upsert_node(const nlohmann::json& node);
  void remove_node(const std::string& name);

  // An assigned pod seen by the informer (add or update). Confirms an assumed pod.
  void add_pod(PodInfoPtr pod);
  void remove_pod(const std::string& key);

  // Puts `pod` (whose node_name is the chosen node) on its node until confirmed or forgotten.
  void assume_pod(PodInfoPtr pod);
  void forget_pod(const std::string& key);
  bool is_assumed(const std::string& key) const;
  // True when the cache holds the pod (assumed or confirmed).
  bool contains_pod(const std::string& key) const;

  void update_snapshot(Snapshot& snapshot);

  size_t node_count() const;
  size_t pod_count() const;

 private:
  struct PodState {
    PodInfoPtr pod;
    bool assumed = false;
  };
  NodeInfo& node_locked(const std::string& name);
  void touch_locked(const std::string& name, NodeInfo& node);
  void remove_pod_locked(const std::string& key);

  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<NodeInfo>> nodes_;
  std::unordered_map<std::string, PodState> pods_;
  std::unordered_set<std::string> dirty_;
  bool images_dirty_ = false;
  int64_t generation_ = 0;
};

}  // namespace kite::scheduler
