// Daemon pods: how the DaemonSet controller makes them and reads them back
// (pkg/controller/daemon/util):
//
//   - daemon_pod_for_node(): the pod for one node, from the template plus the daemon
//     tolerations, the controller-revision-hash label, generateName "<ds>-", a controller
//     ownerReference and a required node affinity `metadata.name In [node]` in matchFields
//     (replacing any required terms). The default scheduler binds it; spec.nodeName stays empty;
//   - target_node_name(): spec.nodeName, or else the node named by that affinity term;
//   - the pod order used to pick which daemon pod on a node is kept (scheduled first, then
//     oldest, then by name) and the IntOrString scaling of maxUnavailable/maxSurge.
//
// Pure functions on JSON objects; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/informer.h"

namespace kite::controllers::daemonset {

using json = nlohmann::json;

json replace_node_name_affinity(json affinity, const std::string& node_name);
json daemon_pod_for_node(const json& ds, const std::string& hash, const std::string& node_name);
// "" when the pod names no node.
std::string target_node_name(const json& pod);

bool is_pod_updated(const json& pod, const std::string& hash);
// True when `a` should be kept before `b` (scheduled first, older first, then by name).
bool pod_before(const json& a, const json& b);
void sort_pods(std::vector<client::ObjectPtr>& pods);

// An IntOrString (int or "N%") scaled against `total`, percentages rounded up. Invalid values
// give 0.
int64_t scaled_int_or_percent(const json& value, int64_t total);
int64_t max_unavailable(const json& ds, int64_t desired);  // 0 unless RollingUpdate
int64_t max_surge(const json& ds, int64_t desired);        // 0 unless RollingUpdate
bool allows_surge(const json& ds);
int64_t min_ready_seconds(const json& ds);
int64_t revision_history_limit(const json& ds);
bool is_rolling_update(const json& ds);

}  // namespace kite::controllers::daemonset
