// The EndpointSlice controller: keeps discovery.k8s.io/v1 EndpointSlices for every Service
// with a selector, as kube-controller-manager's endpointslice controller does.
//
// Slices are labelled kubernetes.io/service-name=<service> and
// endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io (plus the Service's
// labels and service.kubernetes.io/headless for headless Services), owned by the Service
// (controller, blockOwnerDeletion), named <service>-<random>, addressType IPv4. Each selected
// pod that has an IP and is not terminal (terminating pods included) is one endpoint:
// addresses [podIP], conditions {ready, serving, terminating} (ready = publishNotReadyAddresses
// or (Ready and not terminating); serving = Ready; terminating = deletionTimestamp set),
// nodeName, zone (the node's topology.kubernetes.io/zone), targetRef, hostname. Ports resolve
// per pod; endpoints with the same resolved port list share slices of at most 100 endpoints.
// Updates keep endpoints in the slice they are in; a Service with no endpoints keeps one empty
// placeholder slice. Pods on a node that does not exist are skipped (and the Service retried)
// unless publishNotReadyAddresses. Services without a selector are left alone; ExternalName
// Services lose their slices; a deleted Service's slices go by garbage collection.
// Threads: informer threads enqueue service keys; 2 workers sync.
#pragma once

#include <memory>

#include "server/controllers/framework/controller.h"

namespace kite::controllers {

std::unique_ptr<Controller> make_endpointslice_controller(ControllerContext& ctx);

}  // namespace kite::controllers
