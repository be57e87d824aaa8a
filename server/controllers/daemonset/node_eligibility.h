// Which nodes a DaemonSet runs on, as kube-controller-manager decides it
// (pkg/controller/daemon NodeShouldRunDaemonPod and its predicates):
//
//   - the template's spec.nodeName, if set, must be the node;
//   - nodeSelector and the required node affinity (nodeSelectorTerms ORed; in a term
//     matchExpressions on labels and matchFields on metadata.name ANDed) must match;
//   - every NoSchedule/NoExecute taint must be tolerated by the template's tolerations plus the
//     ones the controller adds to daemon pods (not-ready and unreachable NoExecute;
//     disk-pressure, memory-pressure, pid-pressure and unschedulable NoSchedule;
//     network-unavailable NoSchedule for hostNetwork pods);
//   - spec.unschedulable of the node is not looked at (daemon pods tolerate it).
// A pod already on a node whose only untolerated taints are NoSchedule may keep running
// (should_continue_running) while no new one is placed there.
//
// Pure functions on JSON objects; safe from any thread.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace kite::controllers::daemonset {

using json = nlohmann::json;

// Adds (or replaces equal-keyed) the tolerations every daemon pod gets to a pod spec.
void add_daemon_tolerations(json& pod_spec);

bool toleration_tolerates(const json& toleration, const json& taint);
// True when some taint with one of the given effects is tolerated by none of `tolerations`.
bool has_untolerated_taint(const json& taints, const json& tolerations, bool no_schedule, bool no_execute);

// nodeSelector + required node affinity of a pod spec against a node.
bool matches_node_selector_and_affinity(const json& pod_spec, const json& node);
// One NodeSelectorTerm (empty term matches nothing).
bool node_selector_term_matches(const json& term, const json& node);

struct NodeVerdict {
  bool should_run = false;               // a daemon pod should be placed on the node
  bool should_continue_running = false;  // an existing daemon pod may stay
};
NodeVerdict node_should_run_daemon_pod(const json& node, const json& ds);

}  // namespace kite::controllers::daemonset
