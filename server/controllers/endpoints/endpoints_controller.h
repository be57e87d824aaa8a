// The Endpoints controller: keeps one core/v1 Endpoints object per Service that has a
// selector, named like the Service, as kube-controller-manager's endpoint controller does.
//
// Subsets list the pods the selector matches that have an IP and are not terminal: Ready pods
// (every such pod with publishNotReadyAddresses) under `addresses`, the others under
// `notReadyAddresses`; terminating pods are left out unless publishNotReadyAddresses. Each
// address has ip, nodeName, targetRef and, for a pod whose spec.subdomain is the Service's
// name, hostname. Ports resolve per pod (a named targetPort looks up the container port of
// that name and protocol; a pod without it is left out of that port), and addresses are
// grouped into one subset per distinct port list. A headless Service without ports gets
// port-less subsets. Services without a selector are left alone; a deleted Service's
// Endpoints are deleted. Labels are the Service's plus service.kubernetes.io/headless for
// headless Services.
// Threads: informer threads enqueue service keys; 2 workers sync.
#pragma once

#include <memory>

#include "server/controllers/framework/controller.h"

namespace kite::controllers {

std::unique_ptr<Controller> make_endpoints_controller(ControllerContext& ctx);

}  // namespace kite::controllers
