// The pod garbage collector, as kube-controller-manager's podgc controller. Every 20 s:
//   - orphaned pods: a pod bound to a node that does not exist (not in the informer for 40 s
//     and confirmed NotFound by a live GET) is marked Failed with the DisruptionTarget
//     condition (DeletionByPodGC, "PodGC: node no longer exists") and force-deleted (grace 0);
//   - unscheduled terminating pods (deletionTimestamp set, no nodeName) are force-deleted;
//   - terminating pods on a node that is not Ready and carries the
//     node.kubernetes.io/out-of-service taint are marked and force-deleted;
//   - terminated pods (Succeeded/Failed) beyond 12500 are deleted, oldest first.
// Threads: informer threads only feed caches; one periodic thread runs the passes.
#pragma once

#include <memory>

#include "server/controllers/framework/controller.h"

namespace kite::controllers {

std::unique_ptr<Controller> make_podgc_controller(ControllerContext& ctx);

}  // namespace kite::controllers
