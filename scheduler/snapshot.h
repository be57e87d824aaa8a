// Snapshot: the immutable view of the cluster one scheduling cycle works on: every known Node
// (NodeInfo with its pods), an index by name, and how many nodes hold each image.
//
// Built and refreshed by SchedulerCache::update_snapshot() (only nodes that changed are
// copied); read by the scheduling loop and its plugins without locks. Not thread-safe: one
// snapshot belongs to one scheduling loop.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "scheduler/node_info.h"

namespace kite::scheduler {

struct Snapshot {
  std::vector<NodeInfoPtr> nodes;  // nodes whose Node object exists
  std::unordered_map<std::string, size_t> index;  // name -> position in `nodes`
  std::unordered_map<std::string, int> image_num_nodes;  // image name -> nodes holding it
  // Nodes with at least one pod that has (anti-)affinity terms / required anti-affinity.
  std::vector<const NodeInfo*> nodes_with_affinity_pods;
  std::vector<const NodeInfo*> nodes_with_required_anti_affinity_pods;
  int64_t generation = 0;  // the cache generation this snapshot reflects
  // controller uid -> zone -> its non-terminating pods in that zone (system-default
  // spreading reads this instead of walking every node).
  std::unordered_map<std::string, std::unordered_map<std::string, int64_t>> controller_zone_pods;

  const NodeInfo* get(const std::string& name) const {
    auto it = index.find(name);
    return it == index.end() ? nullptr : nodes[it->second].get();
  }
  // Recompute the affinity lists / the image counts from `nodes` (after a refresh that
  // changed pods / node specs).
  void rebuild_affinity_lists();
  void rebuild_image_counts();
  // Moves `node`'s pods in or out (sign +1 / -1) of controller_zone_pods.
  void account_controller_pods(const NodeInfo& node, int sign);
  // Builds a snapshot from scratch (tests).
  static Snapshot from(std::vector<NodeInfo> nodes);
};

}  // namespace kite::scheduler
