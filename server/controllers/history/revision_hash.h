// Revision hashes and names of ControllerRevisions, computed the way kube-controller-manager
// computes them (k8s.io/kubernetes/pkg/controller/history and controller.ComputeHash):
//
//   - template_hash(): FNV-32a of the pod template (its canonical JSON: nlohmann sorts keys) and,
//     when present, the collision count as 8 little-endian bytes; the DaemonSet's hash;
//   - revision_data_hash(): FNV-32 of a revision's data and the decimal collision count; the
//     StatefulSet's hash;
//   - both are rendered with Kubernetes' SafeEncodeString (alphabet without vowels), so a hash
//     is a valid label value and DNS label ("5d8f9c7b6").
//
// The bytes hashed are kite's JSON, so hash values differ from a Go cluster's; they are stable
// for one template across restarts, which is what controllers rely on. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace kite::controllers::history {

using json = nlohmann::json;

// The label carrying a revision's hash on ControllerRevisions and on the pods made from them.
inline constexpr const char* kRevisionHashLabel = "controller-revision-hash";

uint32_t fnv32(std::string_view data);
uint32_t fnv32a(std::string_view data);
// Kubernetes' rand.SafeEncodeString: each byte mapped into "bcdfghjklmnpqrstvwxz2456789".
std::string safe_encode(std::string_view s);

std::string template_hash(const json& pod_template, std::optional<int64_t> collision_count);
std::string revision_data_hash(const json& data, std::optional<int64_t> collision_count);

// "<prefix>-<hash>", the prefix cut to 223 characters so the name stays a valid object name.
std::string revision_name(const std::string& prefix, const std::string& hash);

}  // namespace kite::controllers::history
