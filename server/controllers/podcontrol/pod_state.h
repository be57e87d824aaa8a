// Pod predicates the workload controllers share, with Kubernetes' definitions:
//   - active: phase is neither Succeeded nor Failed and no deletionTimestamp;
//   - ready: the Ready condition is "True";
//   - available: ready, and (minReadySeconds == 0 or the Ready condition's
//     lastTransitionTime + minReadySeconds is before `now`).
// Pure functions; safe from any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace kite::controllers::podcontrol {

using json = nlohmann::json;

bool is_pod_active(const json& pod);
bool is_pod_ready(const json& pod);
bool is_pod_available(const json& pod, int64_t min_ready_seconds, std::chrono::system_clock::time_point now);
// lastTransitionTime of the Ready=True condition; nullopt when not ready or unset.
std::optional<std::chrono::system_clock::time_point> pod_ready_time(const json& pod);
// "ns/name": the key used for deletion expectations.
std::string pod_key(const json& pod);

}  // namespace kite::controllers::podcontrol
