// The node lifecycle controller, as kube-controller-manager's nodelifecycle controller with
// its taint-based eviction (taint manager):
//   - health: every node_monitor_period, a node that has neither renewed its Lease in
//     kube-node-lease nor changed its Ready lastHeartbeatTime for node_monitor_grace_period
//     (60 s for a node that never posted Ready) gets Ready, MemoryPressure, DiskPressure and
//     PIDPressure set to Unknown ("NodeStatusUnknown", "Kubelet stopped posting node status.");
//   - NoExecute taints: node.kubernetes.io/not-ready (Ready False) or
//     node.kubernetes.io/unreachable (Ready Unknown) with timeAdded, removed once Ready; when
//     every node is not Ready (all zones fully disrupted) the controller assumes it is the one
//     cut off, removes these taints and evicts nothing, as upstream;
//   - NoSchedule taints by condition: not-ready / unreachable, memory/disk/pid-pressure,
//     network-unavailable, and unschedulable for spec.unschedulable;
//   - pods on a node whose Ready is not True get their Ready condition set False;
//   - taint eviction: a pod on a node with NoExecute taints it does not tolerate is marked
//     with the DisruptionTarget condition (DeletionByTaintManager) and deleted; tolerations
//     with tolerationSeconds delay that by the smallest such value; tolerations without
//     seconds (DaemonSet pods) keep the pod.
// Threads: informer threads enqueue; a monitor thread runs the health pass; 2 workers sync.
#pragma once

#include <memory>

#include "server/controllers/framework/controller.h"

namespace kite::controllers {

std::unique_ptr<Controller> make_nodelifecycle_controller(ControllerContext& ctx);

}  // namespace kite::controllers
