// One pass of the StatefulSet algorithm (upstream defaultStatefulSetControl.updateStatefulSet)
// over a set's claimed pods, given its current and update revisions:
//
//   1. slot every pod by ordinal: pods in [start, start+replicas) are replicas, others are
//      condemned; missing replicas get a new pod made from the current revision (ordinals
//      below the partition / below status.currentReplicas) or the update revision;
//   2. replicas in ordinal order: failed/succeeded pods are deleted (recreated next pass),
//      missing pods are created (PVCs first); with OrderedReady the pass stops at the first
//      pod created or not Running+Ready(+available), or terminating; Parallel goes on;
//   3. condemned pods from the highest ordinal: deleted one at a time (OrderedReady waits until
//      every other pod is healthy) or all at once (Parallel);
//   4. RollingUpdate: from the highest ordinal down to the partition, delete the first pod not at
//      the update revision and stop, or stop at the first unhealthy pod. OnDelete: nothing.
//
// The returned status counts replicas/ready/available/current/updated pods and names the
// revisions; `error` is the first write that failed (the status is still worth writing).
// Runs on a worker thread; holds no state.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "client/informer.h"
#include "server/controllers/statefulset/stateful_pod_control.h"

namespace kite::controllers::statefulset {

using json = nlohmann::json;

struct StatefulSetPass {
  json status;         // the StatefulSetStatus to store
  base::Status error;  // Ok when every write succeeded
};

StatefulSetPass update_stateful_set(StatefulPodControl& control, const json& set, const json& current_revision,
                                    const json& update_revision, int64_t collision_count,
                                    const std::vector<client::ObjectPtr>& pods,
                                    std::chrono::system_clock::time_point now);

// A copy of `set` whose spec.template is the one `revision` restores.
json apply_revision(const json& set, const json& revision);

// completeRollingUpdate + inconsistentStatus: the status to write, or null when the stored
// status already says the same.
json status_to_store(const json& set, json status);

}  // namespace kite::controllers::statefulset
