// Pod readiness as the workload controllers judge it (k8s.io/kubernetes/pkg/api/v1/pod):
// a pod is ready when its Ready condition is "True", available when it has been ready for at
// least minReadySeconds (measured from the condition's lastTransitionTime). Shared by the
// StatefulSet and DaemonSet controllers. Pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace kite::controllers::history {

using json = nlohmann::json;

std::string pod_phase(const json& pod);
bool is_pod_ready(const json& pod);
bool is_pod_available(const json& pod, int64_t min_ready_seconds, std::chrono::system_clock::time_point now);
// When the pod became ready (lastTransitionTime of a True Ready condition), if known.
bool pod_ready_since(const json& pod, std::chrono::system_clock::time_point* since);

}  // namespace kite::controllers::history
