// The disruption controller: keeps PodDisruptionBudget status as kube-controller-manager's
// disruption controller does.
//
// For each PDB: the pods of its namespace its selector matches; expectedPods = the number of
// those pods for an integer minAvailable, else the sum of their controllers' scale
// (ReplicaSet, Deployment via its ReplicaSet, StatefulSet replicas; kite serves no ReplicationControllers);
// desiredHealthy = minAvailable (a percentage scaled on expectedPods, rounded up) or
// expectedPods - maxUnavailable (integer or percentage rounded up, not below 0);
// currentHealthy = pods that are Ready, not terminating and not in disruptedPods;
// disruptionsAllowed = max(0, currentHealthy - desiredHealthy) (0 when expectedPods is 0);
// disruptedPods entries (written by the eviction API) expire after 2 minutes or when the pod
// goes. Condition DisruptionAllowed: True/SufficientPods, False/InsufficientPods, or
// False/SyncFailed with the error (e.g. a percentage over a pod without a controller).
// observedGeneration = metadata.generation.
// Threads: informer threads enqueue PDB keys; 2 workers sync.
#pragma once

#include <memory>

#include "server/controllers/framework/controller.h"

namespace kite::controllers {

std::unique_ptr<Controller> make_disruption_controller(ControllerContext& ctx);

}  // namespace kite::controllers
