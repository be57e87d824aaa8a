// The root CA publisher (upstream's root-ca-cert-publisher): every active namespace has a
// ConfigMap `kube-root-ca.crt` whose data is exactly {"ca.crt": <the cluster's server CA PEM>}
// (ControllerSettings::root_ca_pem), with upstream's kubernetes.io/description annotation.
// The ConfigMap is recreated when deleted and corrected when its data changes. Pods read it
// through the kube-api-access projected volume. Namespaces being deleted are left alone; an
// empty root_ca_pem publishes nothing.
// Threads: informer threads enqueue namespace names; one worker syncs.
#pragma once

#include <memory>

#include "server/controllers/framework/controller.h"

namespace kite::controllers {

inline constexpr const char* kRootCaConfigMapName = "kube-root-ca.crt";

std::unique_ptr<Controller> make_rootcacert_controller(ControllerContext& ctx);

}  // namespace kite::controllers
