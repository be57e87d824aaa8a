// Pod-level helpers of the Job controller: which of a Job's pods are active, succeeded, failed
// or terminating, their completion index and finish time, the job-tracking finalizer, and the
// pod a Job's template makes (labels, annotations, finalizer, controller reference, and for
// Indexed Jobs the completion index annotation + label, JOB_COMPLETION_INDEX env and hostname).
//
// Pure functions on JSON objects; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kite::controllers::job {

using json = nlohmann::json;
using time_point = std::chrono::system_clock::time_point;

inline constexpr const char* kTrackingFinalizer = "batch.kubernetes.io/job-tracking";
inline constexpr const char* kCompletionIndexKey = "batch.kubernetes.io/job-completion-index";
inline constexpr const char* kCompletionIndexEnv = "JOB_COMPLETION_INDEX";

std::string pod_phase(const json& pod);
bool is_terminating(const json& pod);  // has deletionTimestamp
// Active: not Succeeded/Failed and not being deleted (controller.FilterActivePods).
bool is_active(const json& pod);
bool is_ready(const json& pod);
bool has_tracking_finalizer(const json& pod);
// Upstream isPodFailed: Failed phase, or (unless only failed pods are replaced) deleted
// before succeeding.
bool is_pod_failed(const json& pod, const json& job);
// podReplacementPolicy Failed or a podFailurePolicy: terminating pods are not replaced.
bool only_replace_failed_pods(const json& job);
// The completion index annotation as a number; -1 when absent or malformed.
int completion_index(const json& pod);
// When the pod finished: its containers' latest finishedAt, else the Ready=False transition,
// else deletionTimestamp, else creationTimestamp.
time_point finished_time(const json& pod);
// The sum of restartCount of a pending/running pod's containers (for restartPolicy OnFailure).
int64_t restart_count(const json& pod);

// The pod to create for `job` (generateName "<job>-" or "<job>-<index>-").
json pod_from_template(const json& job, std::optional<int> index);

std::optional<time_point> read_time(const json& obj, const json::json_pointer& ptr);

}  // namespace kite::controllers::job
