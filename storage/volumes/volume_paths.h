// Pure path and permission logic of the VolumeManager: where a volume lives under the pod
// directory, subPath / subPathExpr checks and expansion, payload paths and file modes, hostPath
// type names and kubelet's type-check messages. No file system access; safe from any thread.
#pragma once

#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace kite::storage {

// kubelet's plugin directory name for a volume source ("kubernetes.io~configmap"), "" for
// hostPath (used in place) and for sources without a directory.
std::string plugin_dir_for(const nlohmann::json& volume);
// <pods_dir>/<uid>/volumes/<plugin>/<name>.
std::string volume_dir(const std::string& pods_dir, const std::string& pod_uid, const std::string& plugin,
                       const std::string& volume_name);

// A pod uid / volume name usable as one path component (no '/', not "." or "..", not empty).
bool is_safe_component(const std::string& name);
// subPath rules (kubelet + API validation): relative, no ".." component. "" is allowed.
base::Result<void> check_sub_path(const std::string& sub_path);
// Expands $(VAR) in a subPathExpr from `env`; $$ is a literal $, unknown variables stay as
// written (kubelet's expansion). The result must pass check_sub_path.
base::Result<std::string> expand_sub_path_expr(const std::string& expr, const std::map<std::string, std::string>& env);
// kubelet's $(VAR) expansion (shared with container env): $(NAME) -> value when defined,
// $$ -> $, anything else as written.
std::string expand_var_refs(const std::string& input, const std::map<std::string, std::string>& env);

// A payload path (items[].path, downwardAPI items path): relative, no "..", no empty path,
// no leading "..". kubelet's validatePath.
base::Result<void> check_payload_path(const std::string& path);
// The file mode of an item: its own mode, else the volume's defaultMode, else 0644.
int item_mode(const nlohmann::json& item, const nlohmann::json& source);

// CRI propagation for a volumeMount.mountPropagation value: unset -> "", None -> "rprivate",
// HostToContainer -> "rslave", Bidirectional -> "rshared"; nullopt for anything else.
std::optional<std::string> propagation_for(const nlohmann::json& volume_mount);

// What the host path is, for hostPath type checks.
enum class HostFileKind { kMissing, kDirectory, kFile, kSocket, kCharDevice, kBlockDevice, kOther };
// The hostPath type check as kubelet words it, for an existing (non-"OrCreate") situation:
// "" ok, or "hostPath type check failed: <path> is not a directory" etc. Unknown types give
// "<type> is an invalid volume type". `kind` is after any create step.
std::string host_path_type_error(const std::string& type, const std::string& path, HostFileKind kind);

}  // namespace kite::storage
