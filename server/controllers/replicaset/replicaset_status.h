// The status a ReplicaSet reports, computed from its claimed active pods, and the status
// write (kube-controller-manager's calculateStatus / updateReplicaSetStatus).
//
// Pure computation plus one Client call; safe from any thread.
#pragma once

#include <chrono>
#include <vector>

#include "base/status.h"
#include "client/client.h"
#include "client/informer.h"

namespace kite::controllers::replicaset {

using json = nlohmann::json;

// rs.status with replicas, fullyLabeledReplicas, readyReplicas, availableReplicas counted from
// `pods`, and the ReplicaFailure condition set (reason FailedCreate when pods are missing,
// FailedDelete when there are too many; message = the error) on a manage error, removed on
// success. Counters are omitted when zero, as the Go API omits them.
json calculate_status(const json& rs, const std::vector<client::ObjectPtr>& pods, const base::Status& manage_error,
                      std::chrono::system_clock::time_point now);

// Writes `status` (with observedGeneration = metadata.generation) through the status
// subresource unless nothing changed; on failure re-reads the ReplicaSet and retries once.
// Returns the ReplicaSet as stored.
base::Result<json> update_status(client::Client& client, const json& rs, json status);

}  // namespace kite::controllers::replicaset
