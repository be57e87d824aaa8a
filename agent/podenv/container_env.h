// resolve_container_env: a container's environment as kubelet computes it, in order:
// service-link variables (when pod.spec.enableServiceLinks is not false) for the Services of the
// pod's namespace (and the master `kubernetes` service from `default`), then envFrom
// (configMapRef/secretRef with prefix), then env (value with $(VAR) expansion against what
// precedes it, valueFrom configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef). Later
// entries override earlier ones with the same name.
//
// Errors (base::Status, reason InvalidArgument-style BadRequest, message as kubelet words it,
// which the pod worker shows as the CreateContainerConfigError message), e.g.
// `configmap "app" not found`, `couldn't find key mode in ConfigMap default/app`,
// `secret "db" not found`. An optional reference that is missing is skipped.
// Threads: thread-safe (reads through the Client only).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/runtime/runtime.h"
#include "base/status.h"
#include "client/client.h"

namespace kite::agent {

struct EnvContext {
  client::Client* client = nullptr;
  std::string node_name;
  std::string host_ip;           // status.hostIP
  std::string pod_ip;            // status.podIP (from the sandbox)
  std::vector<std::string> pod_ips;
};

base::Result<std::vector<KeyValue>> resolve_container_env(const nlohmann::json& pod, const nlohmann::json& container,
                                                          const EnvContext& context);

}  // namespace kite::agent
