// Service-link environment variables as kubelet derives them from Services (upstream's
// envvars.FromServices): <NAME>_SERVICE_HOST, <NAME>_SERVICE_PORT, <NAME>_SERVICE_PORT_<PORT>
// for named ports, and the Docker-link variables <NAME>_PORT, <NAME>_PORT_<port>_<PROTO>
// (+ _PROTO, _PORT, _ADDR). Pure functions; safe from any thread.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/runtime/runtime.h"

namespace kite::agent {

// "my-svc" -> "MY_SVC".
std::string service_env_name(const std::string& service_name);
// The variables for one Service; none when it has no ClusterIP (or "None").
std::vector<KeyValue> service_env_vars(const nlohmann::json& service);
// kubelet's choice of Services for a pod in `pod_namespace`: those of the namespace with a
// ClusterIP when `enable_service_links`, plus `kubernetes` from `default` always (a Service
// of the pod's own namespace with the same name wins). Sorted by Service name.
std::vector<nlohmann::json> services_for_pod(const std::vector<nlohmann::json>& namespace_services,
                                             const std::vector<nlohmann::json>& default_services,
                                             const std::string& pod_namespace, bool enable_service_links);

// kubelet's IsEnvVarName: [-._a-zA-Z][-._a-zA-Z0-9]*.
bool is_env_var_name(const std::string& name);

}  // namespace kite::agent
