// NodeInfo: one node as the scheduler sees it: the scheduling-relevant part of the Node
// (labels, taints, unschedulable, allocatable, architecture, images), parsed once per node
// update, plus the pods assigned or assumed on it with their summed requests and used host
// ports.
//
// Copying a NodeInfo shares the parsed NodeSpecInfo and the PodInfos; only the vectors are
// copied. A NodeInfo is mutated only by the SchedulerCache under its lock; the scheduling loop reads
// immutable copies from a Snapshot. Not thread-safe on its own.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "scheduler/pod_info.h"
#include "scheduler/types.h"

namespace kite::scheduler {

inline constexpr const char* kArchLabel = "kubernetes.io/arch";
inline constexpr const char* kHostnameLabel = "kubernetes.io/hostname";
inline constexpr const char* kZoneLabel = "topology.kubernetes.io/zone";

struct NodeImage {
  std::vector<std::string> names;
  int64_t size_bytes = 0;
  bool operator==(const NodeImage&) const = default;
};

// The part of a Node object scheduling depends on.
struct NodeSpecInfo {
  std::string name;
  Labels labels;
  std::vector<Taint> taints;
  bool unschedulable = false;
  Resources allocatable;
  std::string arch;  // kubernetes.io/arch label, else status.nodeInfo.architecture
  std::vector<NodeImage> images;
  bool operator==(const NodeSpecInfo&) const = default;
};

NodeSpecInfo parse_node(const nlohmann::json& node);

class NodeInfo {
 public:
  NodeInfo() : spec_(std::make_shared<const NodeSpecInfo>()) {}
  explicit NodeInfo(NodeSpecInfo spec)
      : spec_(std::make_shared<const NodeSpecInfo>(std::move(spec))), has_node_(true) {}

  const std::string& name() const { return spec_->name; }
  const NodeSpecInfo& spec() const { return *spec_; }
  const Labels& labels() const { return spec_->labels; }
  // False while only pods name the node (their Node has not been seen yet, or was deleted).
  bool has_node() const { return has_node_; }
  void set_spec(NodeSpecInfo spec) {
    spec_ = std::make_shared<const NodeSpecInfo>(std::move(spec));
    has_node_ = true;
  }
  void clear_node() { has_node_ = false; }

  const std::vector<PodInfoPtr>& pods() const { return pods_; }
  const std::vector<PodInfoPtr>& pods_with_affinity() const { return pods_with_affinity_; }
  const std::vector<PodInfoPtr>& pods_with_required_anti_affinity() const { return pods_with_required_anti_affinity_; }
  const Resources& requested() const { return requested_; }
  int64_t non_zero_milli_cpu() const { return non_zero_milli_cpu_; }
  int64_t non_zero_memory() const { return non_zero_memory_; }
  const std::vector<HostPort>& used_ports() const { return used_ports_; }
  // Non-terminating pods on the node owned by this controller uid (system-default spreading).
  const std::unordered_map<std::string, int>& controller_pods() const { return controller_pods_; }
  int pods_of_controller(const std::string& uid) const {
    auto it = controller_pods_.find(uid);
    return it == controller_pods_.end() ? 0 : it->second;
  }

  void add_pod(PodInfoPtr pod);
  // Removes the pod with this key; false when it is not on the node.
  bool remove_pod(const std::string& key);

  // Bumped by the cache on every change; snapshots copy nodes whose generation moved.
  int64_t generation = 0;

 private:
  std::shared_ptr<const NodeSpecInfo> spec_;  // shared between copies: snapshots copy cheaply
  bool has_node_ = false;
  std::vector<PodInfoPtr> pods_;
  std::vector<PodInfoPtr> pods_with_affinity_;
  std::vector<PodInfoPtr> pods_with_required_anti_affinity_;
  Resources requested_;
  int64_t non_zero_milli_cpu_ = 0;
  int64_t non_zero_memory_ = 0;
  std::vector<HostPort> used_ports_;
  std::unordered_map<std::string, int> controller_pods_;
};

using NodeInfoPtr = std::shared_ptr<const NodeInfo>;

}  // namespace kite::scheduler
