// Compact scheduling types parsed once from Pod and Node JSON: resource amounts, taints and
// tolerations, node selector terms, pod (anti-)affinity terms, topology spread constraints and
// host ports. Plugins work on these, never on JSON, so that filtering a pod against thousands
// of nodes costs no JSON lookups.
//
// Plain values; immutable once built and safe to share between threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/selector/label_selector.h"

namespace kite::scheduler {

using Labels = std::map<std::string, std::string>;

// Amounts of the resources the scheduler fits: cpu in millicores, memory and
// ephemeral-storage in bytes, pods as a count, and extended resources (nvidia.com/gpu,
// hugepages-2Mi, ...) by name.
struct Resources {
  int64_t milli_cpu = 0;
  int64_t memory = 0;
  int64_t ephemeral_storage = 0;
  int64_t pods = 0;
  std::vector<std::pair<std::string, int64_t>> scalars;  // sorted by name

  int64_t scalar(const std::string& name) const;
  void set_scalar(const std::string& name, int64_t value);
  void add(const Resources& other);
  void subtract(const Resources& other);
  // Element-wise maximum (init containers against the sum of app containers).
  void max_with(const Resources& other);
  bool is_zero() const;
  bool operator==(const Resources&) const = default;
};

enum class TaintEffect { kNoSchedule, kPreferNoSchedule, kNoExecute, kOther };
TaintEffect parse_taint_effect(const std::string& s);

struct Taint {
  std::string key;
  std::string value;
  TaintEffect effect = TaintEffect::kNoSchedule;
  bool operator==(const Taint&) const = default;
};

struct Toleration {
  std::string key;       // empty with Exists = tolerates everything
  bool exists = false;   // operator Exists (else Equal)
  std::string value;
  std::optional<TaintEffect> effect;  // nullopt = every effect
  // v1helper.ToleratesTaint.
  bool tolerates(const Taint& taint) const;
};

bool tolerates_any(const std::vector<Toleration>& tolerations, const Taint& taint);

// One term of a NodeSelector: every expression (on labels) and every field requirement (only
// metadata.name) must match. A term with neither matches no node.
struct NodeSelectorTerm {
  api::LabelSelector expressions;  // built from matchExpressions
  std::vector<api::LabelSelector::Requirement> fields;  // key "metadata.name"
  bool empty = true;
  bool matches(const std::string& node_name, const Labels& node_labels) const;
};

// v1.NodeSelector: the terms are ORed.
struct NodeSelector {
  std::vector<NodeSelectorTerm> terms;
  bool matches(const std::string& node_name, const Labels& node_labels) const;
};

struct PreferredSchedulingTerm {
  int32_t weight = 0;
  NodeSelectorTerm term;
};

// v1.PodAffinityTerm (with the weight of a WeightedPodAffinityTerm when preferred).
struct PodAffinityTerm {
  api::LabelSelector selector;  // null selector = matches nothing
  std::vector<std::string> namespaces;  // resolved: the pod's own namespace when none given
  std::optional<api::LabelSelector> namespace_selector;  // set: namespaces chosen by labels
  std::string topology_key;
  int32_t weight = 0;
};

enum class UnsatisfiableAction { kDoNotSchedule, kScheduleAnyway };

struct TopologySpreadConstraint {
  int32_t max_skew = 1;
  std::string topology_key;
  UnsatisfiableAction when_unsatisfiable = UnsatisfiableAction::kDoNotSchedule;
  api::LabelSelector selector;  // with matchLabelKeys folded in
  int32_t min_domains = 1;
  bool honor_node_affinity = true;  // nodeAffinityPolicy (default Honor)
  bool honor_node_taints = false;   // nodeTaintsPolicy (default Ignore)
  // Set for kube-scheduler's system-default constraints: pods count when they share this
  // controller (ownerReference uid) instead of matching `selector`.
  std::string controller_uid;
};

// A container port with a hostPort.
struct HostPort {
  std::string ip;  // "0.0.0.0" when unset
  std::string protocol;  // "TCP" when unset
  int32_t port = 0;
  bool operator==(const HostPort&) const = default;
  // Conflicts with another on the same protocol and port when either IP is 0.0.0.0 or both
  // are equal.
  bool conflicts(const HostPort& other) const;
};

}  // namespace kite::scheduler
