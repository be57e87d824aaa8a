// Finds a pod's sandbox and containers in the runtime by kubelet's labels, the way the
// streaming endpoints address them: (namespace, pod name, container name).
//
// The pod is the newest sandbox labelled io.kubernetes.pod.namespace/name (ready sandboxes
// first); its io.kubernetes.pod.uid then narrows the containers, so containers of an older pod
// with the same name are not picked. Among the container's attempts the newest (highest
// attempt, then latest creation) is the current one and the one before it is `previous`.
// The log path is the container's status log_path, else
// <log_root>/<ns>_<pod>_<uid>/<container>/<attempt>.log.
//
// Threads: stateless functions; they block on the runtime.
#pragma once

#include <string>

#include "agent/runtime/runtime.h"

namespace kite::agent::streaming {

struct ContainerRef {
  std::string namespace_, pod, container;
  std::string uid;  // optional (kubelet's /exec/{ns}/{pod}/{uid}/{container} form): this pod only
};

// NotFound (with kubelet-like messages) when the pod or container does not exist or, for
// `previous`, when there is no earlier attempt.
Result<SandboxStatus> find_pod_sandbox(Runtime& runtime, const std::string& namespace_, const std::string& pod,
                                       const std::string& uid = "");
Result<ContainerStatus> find_container(Runtime& runtime, const ContainerRef& ref, bool previous);
std::string container_log_path(const ContainerStatus& container, const ContainerRef& ref, const std::string& log_root);

}  // namespace kite::agent::streaming
