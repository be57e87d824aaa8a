// Pod spec helpers shared by the pod worker, status and probes: field reads with the API's
// defaults applied (so a pod that skipped server-side defaulting behaves the same), kubelet's
// runtime labels/annotations, the container hash, and kubelet's `name_ns(uid)` pod format.
// Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/runtime/runtime.h"

namespace kite::agent::pods {

using json = nlohmann::json;

inline constexpr const char* kLabelPodName = "io.kubernetes.pod.name";
inline constexpr const char* kLabelPodNamespace = "io.kubernetes.pod.namespace";
inline constexpr const char* kLabelPodUid = "io.kubernetes.pod.uid";
inline constexpr const char* kLabelContainerName = "io.kubernetes.container.name";
inline constexpr const char* kAnnotationRestartCount = "io.kubernetes.container.restartCount";
inline constexpr const char* kAnnotationHash = "io.kubernetes.container.hash";
inline constexpr const char* kAnnotationGrace = "io.kubernetes.pod.terminationGracePeriod";
inline constexpr const char* kAnnotationTerminationMessagePath = "io.kubernetes.container.terminationMessagePath";
inline constexpr const char* kAnnotationConfigSource = "kubernetes.io/config.source";
inline constexpr const char* kAnnotationConfigSeen = "kubernetes.io/config.seen";

std::string pod_name(const json& pod);
std::string pod_namespace(const json& pod);
std::string pod_uid(const json& pod);
// kubelet's format.Pod: "name_namespace(uid)".
std::string format_pod(const json& pod);
bool is_deleting(const json& pod);

// spec.restartPolicy ("Always" by default).
std::string restart_policy(const json& pod);
// The spec's containers / initContainers (empty arrays when absent).
const json& app_containers(const json& pod);
const json& init_containers(const json& pod);
// The container spec named `name` among both lists (null json when absent).
json find_container(const json& pod, const std::string& name);
bool is_init_container(const json& pod, const std::string& name);

// Whether a container that exited with `exit_code` restarts under `policy`.
bool should_restart(const std::string& policy, int32_t exit_code);

// imagePullPolicy with the API default: Always for ":latest" or no tag, else IfNotPresent.
std::string image_pull_policy(const json& container);
// The pod's grace period for a kill: metadata.deletionGracePeriodSeconds when deleting, else
// spec.terminationGracePeriodSeconds (30 by default).
int64_t grace_period_seconds(const json& pod);

// The container hash kubelet stores in io.kubernetes.container.hash: FNV-1a 32 over the
// container's canonical JSON, in lower-case hex. A running container whose hash differs from
// the spec's is restarted; a matching one is adopted after an agent restart.
std::string container_hash(const json& container);

Labels sandbox_labels(const json& pod);
Labels sandbox_annotations(const json& pod);
Labels container_labels(const json& pod, const std::string& container_name);
Labels container_annotations(const json& pod, const json& container, int restart_count);
// <log_root>/<ns>_<name>_<uid>
std::string pod_log_directory(const std::string& log_root, const json& pod);
// <container>/<restartCount>.log (relative to the pod's log directory).
std::string container_log_path(const std::string& container_name, int restart_count);

// Reads an integer field (number or numeric string) with a default.
int64_t int_field(const json& obj, const char* key, int64_t fallback);
std::string string_field(const json& obj, const char* key, const std::string& fallback = "");

}  // namespace kite::agent::pods
