// The DaemonSet controller: keeps one pod of each DaemonSet on every eligible node (nodeSelector,
// required node affinity, taints vs. tolerations; see node_eligibility.h), deletes daemon pods
// from nodes that stop being eligible (e.g. after a label change), rolls pods to a new template
// (RollingUpdate with maxUnavailable/maxSurge, or OnDelete) through ControllerRevisions, and
// reports status.{desiredNumberScheduled,currentNumberScheduled,numberReady,
// updatedNumberScheduled,numberAvailable,numberUnavailable,numberMisscheduled,
// observedGeneration,collisionCount} so that `kubectl rollout status daemonset/x` works.
// Daemon pods are placed by a required node affinity on metadata.name and bound by the
// scheduler, as upstream. Behaves as kube-controller-manager's.
//
// Reads the shared informers of daemonsets, nodes, pods and controllerrevisions; writes pods,
// ControllerRevisions, daemonsets/status and Events. Threads: informer handlers enqueue
// DaemonSet keys (and record observed pod creations/deletions); `workers` threads sync.
#pragma once

#include <memory>

#include "server/controllers/framework/controller.h"

namespace kite::controllers {

std::unique_ptr<Controller> make_daemonset_controller(ControllerContext& ctx);

}  // namespace kite::controllers
