// PodInfo: everything the scheduler reads from a Pod, parsed once per pod add/update into
// compact fields (requests, host ports, node selector and affinity, tolerations, pod
// (anti-)affinity terms, topology spread constraints, images).
//
// parse_pod() never fails: an unusable field (a bad label selector in an affinity term)
// is recorded in `parse_error`, and the scheduler reports that pod as unschedulable with that
// message. PodInfo is immutable once built; shared_ptr<const PodInfo> is shared freely
// between the informer thread, the cache and the scheduling loop.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scheduler/types.h"

namespace kite::scheduler {

inline constexpr const char* kDefaultSchedulerName = "default-scheduler";

struct PodInfo {
  std::shared_ptr<const nlohmann::json> object;  // the Pod as last seen
  std::string ns, name, key, uid, resource_version;
  std::string node_name;       // spec.nodeName
  std::string scheduler_name;  // spec.schedulerName, defaulted
  std::string phase;           // status.phase
  std::string controller_uid;  // ownerReferences[controller=true].uid
  int32_t priority = 0;
  bool terminating = false;  // metadata.deletionTimestamp set
  bool gated = false;        // spec.schedulingGates non-empty
  Labels labels;

  // Effective requests (sum of containers, max with init containers, sidecars, overhead);
  // pods = 1.
  Resources requests;
  // cpu/memory with kube-scheduler's defaults (100m, 200Mi) for containers that request none;
  // used by scoring only.
  int64_t non_zero_milli_cpu = 0;
  int64_t non_zero_memory = 0;

  std::vector<HostPort> host_ports;
  Labels node_selector;  // spec.nodeSelector
  std::optional<NodeSelector> required_node_affinity;
  std::vector<PreferredSchedulingTerm> preferred_node_affinity;
  std::vector<Toleration> tolerations;
  std::vector<PodAffinityTerm> required_affinity, required_anti_affinity;
  std::vector<PodAffinityTerm> preferred_affinity, preferred_anti_affinity;
  std::vector<TopologySpreadConstraint> spread_constraints;
  std::vector<std::string> images;  // containers then init containers

  // The PodScheduled condition as last seen, to skip status writes that change nothing.
  std::string scheduled_status, scheduled_reason, scheduled_message;

  std::string parse_error;

  bool assigned() const { return !node_name.empty(); }
  bool terminal() const { return phase == "Succeeded" || phase == "Failed"; }
  bool has_pod_affinity() const {
    return !required_affinity.empty() || !required_anti_affinity.empty() || !preferred_affinity.empty() ||
           !preferred_anti_affinity.empty();
  }
  bool has_required_anti_affinity() const { return !required_anti_affinity.empty(); }
};

using PodInfoPtr = std::shared_ptr<const PodInfo>;

PodInfoPtr parse_pod(std::shared_ptr<const nlohmann::json> pod);
// Convenience for tests: copies `pod`.
PodInfoPtr parse_pod(const nlohmann::json& pod);

// A pod's NodeSelector (for the nodeSelector / required node affinity check shared by
// NodeAffinity, PodTopologySpread's nodeAffinityPolicy and the arch plugin).
bool pod_matches_node_selector_and_affinity(const PodInfo& pod, const std::string& node_name,
                                            const Labels& node_labels);

// Whether `pod` is in the namespaces of `term` (namespace_labels: labels of pod.ns, used only
// when the term has a namespaceSelector) and matches its label selector.
bool pod_matches_affinity_term(const PodInfo& pod, const PodAffinityTerm& term, const Labels* namespace_labels);

}  // namespace kite::scheduler
