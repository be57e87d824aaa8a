#include "scheduler/snapshot.h"

namespace kite::scheduler {

void Snapshot::rebuild_affinity_lists() {
  nodes_with_affinity_pods.clear();
  nodes_with_required_anti_affinity_pods.clear();
  for (const auto& n : nodes) {
    if (!n->pods_with_affinity().empty()) nodes_with_affinity_pods.push_back(n.get());
    if (!n->pods_with_required_anti_affinity().empty()) nodes_with_required_anti_affinity_pods.push_back(n.get());
  }
}

void Snapshot::rebuild_image_counts() {
  image_num_nodes.clear();
  for (const auto& n : nodes)
    for (const auto& img : n->spec().images)
      for (const auto& name : img.names) ++image_num_nodes[name];
}

void Snapshot::account_controller_pods(const NodeInfo& node, int sign) {
  auto zone = node.labels().find(kZoneLabel);
  if (zone == node.labels().end()) return;
  for (const auto& [uid, count] : node.controller_pods()) {
    auto& zones = controller_zone_pods[uid];
    int64_t& n = zones[zone->second];
    n += sign * count;
    if (n <= 0) zones.erase(zone->second);
    if (zones.empty()) controller_zone_pods.erase(uid);
  }
}

Snapshot Snapshot::from(std::vector<NodeInfo> nodes) {
  Snapshot s;
  for (auto& n : nodes) {
    s.index[n.name()] = s.nodes.size();
    s.nodes.push_back(std::make_shared<const NodeInfo>(std::move(n)));
    s.account_controller_pods(*s.nodes.back(), 1);
  }
  s.rebuild_affinity_lists();
  s.rebuild_image_counts();
  return s;
}

}  // namespace kite::scheduler
