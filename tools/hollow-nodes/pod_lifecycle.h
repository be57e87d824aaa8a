// What a hollow kubelet does next with one pod bound to its node: a pure decision from the
// pod as the API server has it, the node's addresses and the time.
//
//   - deletionTimestamp set           -> confirm the deletion (DELETE, grace 0, uid precondition)
//   - phase Succeeded/Failed          -> nothing
//   - not yet running (as we report)  -> status Running: conditions PodScheduled, Initialized,
//     PodReadyToStartContainers, ContainersReady, Ready True; containerStatuses running,
//     initContainerStatuses terminated Completed; podIP, hostIP, startTime, qosClass
//   - annotation hollow.kite.io/ready: "false" -> Running but ContainersReady/Ready False
//   - annotations hollow.kite.io/exit-code: "N" + hollow.kite.io/run-seconds: "S" -> S seconds
//     after the containers started they exit with N: with restartPolicy Always (or OnFailure
//     and N != 0) they restart (restartCount + 1, lastState terminated); otherwise the pod
//     ends Succeeded (N == 0) or Failed, containers terminated Completed/Error with exitCode N.
//
// Pure; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace kite::hollow {

using json = nlohmann::json;

inline constexpr const char* kAnnotationExitCode = "hollow.kite.io/exit-code";
inline constexpr const char* kAnnotationRunSeconds = "hollow.kite.io/run-seconds";
inline constexpr const char* kAnnotationReady = "hollow.kite.io/ready";

struct PodPlan {
  enum class Action { kNone, kConfirmDelete, kWriteStatus };
  Action action = Action::kNone;
  json status;  // the whole new status, for kWriteStatus
  // Look at the pod again after this long (a pending exit), even without an event.
  std::optional<std::chrono::milliseconds> recheck_after;
};

// `pod_ip` is used when the pod has no status.podIP yet.
PodPlan plan_pod(const json& pod, const std::string& host_ip, const std::string& pod_ip,
                 std::chrono::system_clock::time_point now);

// The pod's QoS class from its containers' requests and limits: Guaranteed, Burstable or
// BestEffort.
std::string qos_class(const json& pod_spec);

}  // namespace kite::hollow
