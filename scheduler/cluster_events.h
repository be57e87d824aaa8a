// Which cluster changes may make a pod schedulable again, by the plugins that rejected it
// (kube-scheduler's EventsToRegister, reduced to kite's plugins). The scheduler's informer
// handlers pass these lists to SchedulingQueue::move_for_event(). Plain data; thread-safe.
#pragma once

#include <string>
#include <vector>

namespace kite::scheduler {

// What changed in a node update, as far as scheduling cares.
struct NodeChange {
  bool added = false;
  bool labels = false;         // labels or architecture
  bool taints = false;
  bool unschedulable = false;  // spec.unschedulable
  bool allocatable = false;
  bool images = false;
  bool any() const { return added || labels || taints || unschedulable || allocatable || images; }
};

namespace events {
inline const std::vector<std::string> kAssignedPodAdd = {"InterPodAffinity", "PodTopologySpread"};
inline const std::vector<std::string> kAssignedPodUpdate = {"InterPodAffinity", "PodTopologySpread"};
inline const std::vector<std::string> kAssignedPodDelete = {"NodeResourcesFit", "NodePorts", "InterPodAffinity",
                                                            "PodTopologySpread"};
inline const std::vector<std::string> kNodeDelete = {"InterPodAffinity", "PodTopologySpread"};
inline const std::vector<std::string> kNamespaceChange = {"InterPodAffinity"};

inline std::vector<std::string> plugins_for_node_change(const NodeChange& c) {
  std::vector<std::string> out;
  if (c.labels)
    out.insert(out.end(), {"NodeAffinity", "ImageArchitecture", "PodTopologySpread", "InterPodAffinity"});
  if (c.taints) out.insert(out.end(), {"TaintToleration", "PodTopologySpread"});
  if (c.unschedulable) out.push_back("NodeUnschedulable");
  if (c.allocatable) out.push_back("NodeResourcesFit");
  return out;
}
}  // namespace events

}  // namespace kite::scheduler
