// Node health bookkeeping of the node lifecycle controller: when a node last proved alive
// (a new Ready lastHeartbeatTime or a newer Lease renewTime, as seen by this controller), and
// the status rewrite once it has been silent longer than the grace period. Thread-safe
// (NodeHealthTracker locks; the free functions are pure).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

namespace kite::controllers::nodelifecycle {

using json = nlohmann::json;
using time_point = std::chrono::system_clock::time_point;

class NodeHealthTracker {
 public:
  // Notes what the node and its Lease (null when none) show at `now`; returns the last time
  // the node proved alive (the first observation counts as a proof).
  time_point observe(const std::string& node, const json& node_obj, const json* lease, time_point now);
  void forget(const std::string& node);
  // Every node counts as alive at `now` (leaving the all-nodes-down disruption mode).
  void reset_probes(time_point now);

 private:
  struct Health {
    time_point probe;
    std::string heartbeat;  // Ready condition's lastHeartbeatTime
    std::string renew;      // Lease spec.renewTime
  };
  std::mutex mu_;
  std::map<std::string, Health> nodes_;
};

// Sets Ready, MemoryPressure, DiskPressure and PIDPressure to Unknown as upstream does when
// the kubelet stopped posting status: existing conditions get reason NodeStatusUnknown,
// "Kubelet stopped posting node status.", lastTransitionTime = now (lastHeartbeatTime kept);
// missing ones are added with reason NodeStatusNeverUpdated, "Kubelet never posted node
// status.", lastHeartbeatTime = the node's creationTimestamp. Returns true if anything changed.
bool mark_node_status_unknown(json& node, time_point now);

}  // namespace kite::controllers::nodelifecycle
