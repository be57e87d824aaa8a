#include "server/controllers/nodelifecycle/node_health.h"

#include "base/ids.h"

namespace kite::controllers::nodelifecycle {

namespace {

std::string ready_heartbeat(const json& node) {
  if (!node.contains("status") || !node["status"].is_object()) return "";
  for (const auto& c : node["status"].value("conditions", json::array())) {
    if (c.value("type", "") == "Ready") return c.value("lastHeartbeatTime", "");
  }
  return "";
}

}  // namespace

time_point NodeHealthTracker::observe(const std::string& node, const json& node_obj, const json* lease, time_point now) {
  std::string heartbeat = ready_heartbeat(node_obj);
  std::string renew = lease && lease->contains("spec") ? (*lease)["spec"].value("renewTime", "") : "";
  std::lock_guard lock(mu_);
  auto it = nodes_.find(node);
  if (it == nodes_.end()) {
    nodes_[node] = Health{now, heartbeat, renew};
    return now;
  }
  Health& h = it->second;
  if (heartbeat != h.heartbeat) {
    h.heartbeat = heartbeat;
    h.probe = now;
  }
  if (!renew.empty() && renew != h.renew) {
    time_point r{}, old{};
    bool newer = !base::parse_rfc3339(h.renew, &old) || (base::parse_rfc3339(renew, &r) && r > old);
    h.renew = renew;
    if (newer) h.probe = now;
  }
  return h.probe;
}

void NodeHealthTracker::forget(const std::string& node) {
  std::lock_guard lock(mu_);
  nodes_.erase(node);
}

void NodeHealthTracker::reset_probes(time_point now) {
  std::lock_guard lock(mu_);
  for (auto& [name, h] : nodes_) h.probe = now;
}

bool mark_node_status_unknown(json& node, time_point now) {
  static const char* kTypes[] = {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"};
  std::string now_s = base::rfc3339(now);
  json& conds = node["status"]["conditions"];
  if (!conds.is_array()) conds = json::array();
  bool changed = false;
  for (const char* type : kTypes) {
    json* found = nullptr;
    for (auto& c : conds) {
      if (c.value("type", "") == type) found = &c;
    }
    if (!found) {
      conds.push_back({{"type", type},
                       {"status", "Unknown"},
                       {"reason", "NodeStatusNeverUpdated"},
                       {"message", "Kubelet never posted node status."},
                       {"lastHeartbeatTime", node["metadata"].value("creationTimestamp", now_s)},
                       {"lastTransitionTime", now_s}});
      changed = true;
    } else if (found->value("status", "") != "Unknown") {
      (*found)["status"] = "Unknown";
      (*found)["reason"] = "NodeStatusUnknown";
      (*found)["message"] = "Kubelet stopped posting node status.";
      (*found)["lastTransitionTime"] = now_s;
      changed = true;
    }
  }
  return changed;
}

}  // namespace kite::controllers::nodelifecycle
