// The identity and storage of a StatefulSet's pods, as kube-controller-manager gives them
// (pkg/controller/statefulset/stateful_set_utils.go):
//
//   - pod "<set>-<ordinal>" with labels statefulset.kubernetes.io/pod-name, apps.kubernetes.io/
//     pod-index and controller-revision-hash (= the revision's name), generateName "<set>-",
//     spec.hostname = pod name and spec.subdomain = spec.serviceName;
//   - one PVC "<claim>-<set>-<ordinal>" per volumeClaimTemplate, labelled with the set's
//     selector matchLabels, mounted through a pod volume named after the template (replacing a
//     template volume of the same name);
//   - the ordinal range [spec.ordinals.start, start + replicas).
//
// Pure functions on JSON objects; safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kite::controllers::statefulset {

using json = nlohmann::json;

inline constexpr const char* kPodNameLabel = "statefulset.kubernetes.io/pod-name";
inline constexpr const char* kPodIndexLabel = "apps.kubernetes.io/pod-index";

// Spec accessors with the API defaults applied (the fake client does not default).
int64_t replicas_of(const json& set);
int64_t start_ordinal(const json& set);
int64_t min_ready_seconds(const json& set);
bool allows_burst(const json& set);      // podManagementPolicy == Parallel
bool is_on_delete(const json& set);      // updateStrategy.type == OnDelete
int64_t partition_of(const json& set);   // rollingUpdate.partition (0)
bool has_rolling_update_params(const json& set);
int64_t revision_history_limit(const json& set);

// "<set>-<ordinal>" and its inverse: the parent name and ordinal (-1 when not of that form).
std::string pod_name(const json& set, int64_t ordinal);
void parent_and_ordinal(const std::string& pod_name, std::string* parent, int64_t* ordinal);
int64_t ordinal_of(const json& pod);
bool is_member_of(const json& set, const json& pod);
bool in_ordinal_range(const json& set, int64_t ordinal);

// Pod predicates as the controller uses them.
bool is_created(const json& pod);      // has a phase
bool is_terminating(const json& pod);  // deletionTimestamp set
bool is_failed(const json& pod);
bool is_succeeded(const json& pod);
bool is_pending(const json& pod);
bool is_running_and_ready(const json& pod);
bool is_running_and_available(const json& pod, int64_t min_ready_seconds, std::chrono::system_clock::time_point now);
bool is_healthy(const json& pod);  // running, ready and not terminating
std::string pod_revision(const json& pod);

// The claims of the pod with `ordinal`: template name -> PVC object to create.
std::vector<std::pair<std::string, json>> claims_for(const json& set, int64_t ordinal);

// A new pod of `set` (whose spec.template is the template to use) with identity, storage and
// revision label, owned by `set`.
json new_stateful_pod(const json& set, int64_t ordinal, const std::string& revision_name);

bool identity_matches(const json& set, const json& pod);
bool storage_matches(const json& set, const json& pod);
// Fixes the pod's identity labels and claim volumes in place.
void update_identity(const json& set, json& pod);
void update_storage(const json& set, json& pod);

}  // namespace kite::controllers::statefulset
