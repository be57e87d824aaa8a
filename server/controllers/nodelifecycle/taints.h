// Taints and tolerations as the node lifecycle controller and its taint manager use them.
// Pure functions on wire-form JSON; thread-safe.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kite::controllers::nodelifecycle {

using json = nlohmann::json;

inline constexpr const char* kTaintNotReady = "node.kubernetes.io/not-ready";
inline constexpr const char* kTaintUnreachable = "node.kubernetes.io/unreachable";
inline constexpr const char* kTaintUnschedulable = "node.kubernetes.io/unschedulable";
inline constexpr const char* kTaintMemoryPressure = "node.kubernetes.io/memory-pressure";
inline constexpr const char* kTaintDiskPressure = "node.kubernetes.io/disk-pressure";
inline constexpr const char* kTaintPIDPressure = "node.kubernetes.io/pid-pressure";
inline constexpr const char* kTaintNetworkUnavailable = "node.kubernetes.io/network-unavailable";

// v1.Toleration.ToleratesTaint: effect "" matches every effect; key "" with Exists matches
// every key; Exists ignores the value, Equal (or "") compares it.
bool tolerates(const json& toleration, const json& taint);
// The node's spec.taints (always an array).
json node_taints(const json& node);
std::vector<json> taints_with_effect(const json& node, const std::string& effect);
// The status of the node's condition of `type` ("" when absent).
std::string condition_status(const json& node, const std::string& type);
// The NoSchedule taints TaintNodesByCondition wants on the node (keys only, no timeAdded):
// not-ready / unreachable (Ready False / Unknown), memory/disk/pid-pressure and
// network-unavailable (condition True), unschedulable (spec.unschedulable).
std::vector<std::string> desired_no_schedule_taint_keys(const json& node);
// The keys whose NoSchedule taints the controller owns.
const std::vector<std::string>& managed_no_schedule_taint_keys();
// `taints` without any taint of (key in `remove_keys`, effect), plus `add` (key, effect) taints
// that are missing, each stamped with timeAdded = now_rfc3339.
json swap_taints(const json& taints, const std::string& effect, const std::vector<std::string>& remove_keys,
                 const std::vector<std::string>& add_keys, const std::string& now_rfc3339);

}  // namespace kite::controllers::nodelifecycle
