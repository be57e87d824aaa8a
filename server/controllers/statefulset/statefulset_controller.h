// The StatefulSet controller: runs each StatefulSet's pods with stable names, stable storage
// and ordered (OrderedReady) or parallel (Parallel) management, rolls them to new templates
// (RollingUpdate with partition, or OnDelete) through ControllerRevisions, and reports
// status.{replicas,readyReplicas,availableReplicas,currentReplicas,updatedReplicas,
// currentRevision,updateRevision,observedGeneration,collisionCount} so that
// `kubectl rollout status statefulset/x` works. Behaves as kube-controller-manager's.
//
// Reads the shared informers of statefulsets, pods, persistentvolumeclaims and
// controllerrevisions; writes pods, PVCs, ControllerRevisions, statefulsets/status and Events.
// Threads: informer handlers enqueue set keys; `workers` threads sync (one key at a time).
#pragma once

#include <memory>

#include "server/controllers/framework/controller.h"

namespace kite::controllers {

std::unique_ptr<Controller> make_statefulset_controller(ControllerContext& ctx);

}  // namespace kite::controllers
