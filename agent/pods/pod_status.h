// The pod's status as kubelet reports it, computed from the runtime view, the worker's cached
// start-failure reasons and the probe results: phase (kubelet's getPhase), conditions
// PodReadyToStartContainers, Initialized, Ready, ContainersReady and PodScheduled (others, such
// as DisruptionTarget or readiness gates, are kept from the old status; lastTransitionTime only
// moves when a condition's status changes), initContainerStatuses / containerStatuses in spec
// order (waiting / running / terminated, lastState, ready, started, restartCount, image,
// imageID, containerID "<runtime>://<id>"), hostIP(s), podIP(s), startTime and qosClass (kept
// when the API server set it). Pure; safe from any thread.
#pragma once

#include <functional>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/pods/runtime_view.h"
#include "base/clock.h"

namespace kite::agent::pods {

// Why a container is waiting (kubelet's reason cache): ErrImagePull, CrashLoopBackOff, ...
struct ContainerWaiting {
  std::string reason, message;
  bool operator==(const ContainerWaiting&) const = default;
};

struct StatusInputs {
  const nlohmann::json* pod = nullptr;  // with its current status
  const PodRuntimeView* view = nullptr;
  std::map<std::string, ContainerWaiting> waiting;  // by container name
  std::function<bool(const std::string& name, const std::string& id)> ready;    // readiness (probes)
  std::function<bool(const std::string& name, const std::string& id)> started;  // startup probe passed
  // The termination message of an exited container (its terminationMessagePath file), "" if none.
  std::function<std::string(const ContainerStatus&)> termination_message;
  std::string runtime_name = "containerd";
  std::string node_ip;
  base::Clock::time_point now;
  // The pod is being deleted and nothing runs any more: a stopped pod is Succeeded or Failed
  // whatever its restart policy (kubelet's podIsTerminal).
  bool pod_is_terminal = false;
};

nlohmann::json generate_pod_status(const StatusInputs& in);

// kubelet's getPhase over container statuses already generated (and the old phase: a terminal
// phase never changes).
std::string pod_phase(const nlohmann::json& pod, const nlohmann::json& init_statuses,
                      const nlohmann::json& statuses, bool pod_is_terminal = false);

bool is_terminal_phase(const std::string& phase);

}  // namespace kite::agent::pods
