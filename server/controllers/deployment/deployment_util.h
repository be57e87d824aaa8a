// Deployment arithmetic and bookkeeping shared by the deployment controller's steps, with
// kube-controller-manager's definitions (pkg/controller/deployment/util):
//   - the pod-template-hash (FNV-32a over the template, plus collisionCount, rendered as its
//     decimal digits mapped onto the alphabet "bcdfghjklmnpqrstvwxz2456789") and template
//     equality ignoring that label;
//   - maxSurge / maxUnavailable from ints or percentages (surge rounds up, unavailable rounds
//     down, both zero -> unavailable 1; unavailable capped at replicas);
//   - the revision, revision-history, desired-replicas and max-replicas annotations;
//   - replica counts over ReplicaSets, conditions, and the completeness/progress/timeout
//     predicates that drive the Progressing condition.
// ReplicaSets and Deployments are JSON objects in wire form. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace kite::controllers::deployment {

using json = nlohmann::json;
using time_point = std::chrono::system_clock::time_point;

inline constexpr const char* kHashLabel = "pod-template-hash";
inline constexpr const char* kRevisionAnnotation = "deployment.kubernetes.io/revision";
inline constexpr const char* kRevisionHistoryAnnotation = "deployment.kubernetes.io/revision-history";
inline constexpr const char* kDesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
inline constexpr const char* kMaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";
inline constexpr size_t kMaxRevisionHistoryChars = 2000;

// Progressing condition reasons.
inline constexpr const char* kReasonNewRSCreated = "NewReplicaSetCreated";
inline constexpr const char* kReasonFoundNewRS = "FoundNewReplicaSet";
inline constexpr const char* kReasonRSUpdated = "ReplicaSetUpdated";
inline constexpr const char* kReasonNewRSAvailable = "NewReplicaSetAvailable";
inline constexpr const char* kReasonTimedOut = "ProgressDeadlineExceeded";
inline constexpr const char* kReasonPaused = "DeploymentPaused";
inline constexpr const char* kReasonResumed = "DeploymentResumed";
inline constexpr const char* kReasonFailedRSCreate = "ReplicaSetCreateError";
// Available condition reasons.
inline constexpr const char* kReasonMinimumAvailable = "MinimumReplicasAvailable";
inline constexpr const char* kReasonMinimumUnavailable = "MinimumReplicasUnavailable";

// --- hashing and templates
std::string safe_encode(const std::string& s);
std::string compute_hash(const json& pod_template, std::optional<int64_t> collision_count);
// Template equality ignoring the pod-template-hash label (and nil-vs-empty differences).
bool equal_ignore_hash(const json& a, const json& b);

// --- spec accessors (with the API defaults when a field is absent)
int64_t replicas_of(const json& obj);  // spec.replicas, default 1
bool is_rolling_update(const json& d);
bool has_progress_deadline(const json& d);
bool has_revision_history_limit(const json& d);
// An int-or-percent scaled against `total`: "25%" of 10 -> 3 (round_up) or 2.
base::Result<int64_t> scaled_value(const json& int_or_percent, int64_t total, bool round_up);
int64_t max_surge(const json& d);
int64_t max_unavailable(const json& d);

// --- revisions and annotations
// The revision annotation as a number (0 when absent or malformed).
int64_t revision_of(const json& obj);
int64_t max_revision(const std::vector<json>& rss);
// Copies the deployment's annotations (except kubectl's last-applied and the deployment.*
// bookkeeping ones) to `rs`, raises its revision to `new_revision` (keeping the old one in
// revision-history when it had one) and, for a ReplicaSet about to be created, sets the
// replica annotations. True when `rs` changed.
bool set_new_rs_annotations(const json& d, json& rs, int64_t new_revision, bool exists);
bool set_replicas_annotations(json& rs, int64_t desired, int64_t max_replicas);
bool replicas_annotations_need_update(const json& rs, int64_t desired, int64_t max_replicas);
std::optional<int64_t> int_annotation(const json& obj, const char* key);
// Sets the deployment's revision annotation; true when it changed.
bool set_deployment_revision(json& d, const std::string& revision);

// --- counts over ReplicaSets
int64_t sum_spec_replicas(const std::vector<json>& rss);
int64_t sum_status(const std::vector<json>& rss, const char* field);
std::vector<json> active_replicasets(const std::vector<json>& rss);  // spec.replicas > 0
// The new RS when it is saturated: spec and desired-replicas == d.spec.replicas and all available.
bool is_saturated(const json& d, const std::optional<json>& new_rs);
// The replicas the new RS should have now (rolling: bounded by maxSurge; recreate: all).
base::Result<int64_t> new_rs_new_replicas(const json& d, const std::vector<json>& all_rs, const json& new_rs);
// How many replicas `rs` gains (or loses, negative) of `to_add` in a proportional scale.
int64_t proportion(const json& rs, const json& d, int64_t to_add, int64_t added);

// --- conditions (status.conditions of a Deployment)
json new_condition(const std::string& type, const std::string& status, const std::string& reason,
                   const std::string& message, time_point now);
const json* get_condition(const json& status, const std::string& type);
// Kubernetes' SetDeploymentCondition: no-op when status and reason are unchanged; keeps
// lastTransitionTime when only the reason changes.
void set_condition(json& status, json condition);
void remove_condition(json& status, const std::string& type);

// --- rollout predicates
bool deployment_complete(const json& d, const json& new_status);
bool deployment_progressing(const json& d, const json& new_status);
bool deployment_timed_out(const json& d, const json& new_status, time_point now);

// Creation-time order (oldest first, ties by name), as ReplicaSetsByCreationTimestamp.
void sort_by_creation(std::vector<json>& rss);
// Larger first; equal sizes newer first (scaling up) or older first (scaling down).
void sort_by_size_newer(std::vector<json>& rss);
void sort_by_size_older(std::vector<json>& rss);
// Lower revision first, ties by creation time.
void sort_by_revision(std::vector<json>& rss);

}  // namespace kite::controllers::deployment
