// The Node object as kubelet writes it: labels, registration taints, capacity/allocatable,
// addresses, nodeInfo, conditions and daemonEndpoints. Pure functions of their inputs (the
// machine's facts, the agent's settings, the readiness and the time); thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/node/machine_facts.h"
#include "base/status.h"

namespace kite::agent {

using json = nlohmann::json;

inline constexpr const char* kKubeletVersion = "v1.32.0-kite";
inline constexpr int kKubeletPort = 10250;
inline constexpr int kMaxPods = 110;

struct NodeSettings {
  std::string name;
  std::string node_ip;                  // InternalIP ("" = the default-route interface's IP)
  std::vector<std::string> labels;      // --node-label key=value
  std::vector<std::string> taints;      // --node-taint key[=value]:Effect (registration only)
  std::string debug_arch;               // test only: reported kubernetes.io/arch
  int kubelet_port = kKubeletPort;
  int max_pods = kMaxPods;  // --kubelet-arg max-pods
};

struct Readiness {
  bool ready = false;
  std::string message;  // why not ready (or "kubelet is posting ready status")
};

// key=value -> {key, value}; BadRequest for malformed entries (no '=' or an empty key).
base::Result<std::map<std::string, std::string>> parse_node_labels(const std::vector<std::string>& labels);
// key[=value]:Effect -> Taint objects; Effect one of NoSchedule, PreferNoSchedule, NoExecute.
base::Result<json> parse_node_taints(const std::vector<std::string>& taints);

// The labels kubelet sets (arch, os, hostname, beta.* aliases, instance-type "kite") plus the
// user's --node-label values (which win).
std::map<std::string, std::string> node_labels(const NodeSettings& s, const MachineFacts& f);

// A new Node for registration: metadata (name, labels), spec.taints, and status.
json build_node(const NodeSettings& s, const MachineFacts& f, const Readiness& r, const std::string& runtime_version,
                std::chrono::system_clock::time_point now);

// .status: capacity, allocatable, addresses, nodeInfo, daemonEndpoints and the conditions.
// `previous` (the status last posted, or null) keeps each condition's lastTransitionTime while
// its status is unchanged.
json build_node_status(const NodeSettings& s, const MachineFacts& f, const Readiness& r,
                       const std::string& runtime_version, std::chrono::system_clock::time_point now,
                       const json& previous);

// `status` without the heartbeat times, for change detection.
json without_heartbeats(json status);

}  // namespace kite::agent
