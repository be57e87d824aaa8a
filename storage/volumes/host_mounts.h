// The host side of a container's mounts and of a pod directory's lifetime: volumeMounts
// resolved to host paths (subPath, subPathExpr, readOnly, mountPropagation) plus the
// termination-message file, mount-point discovery (/proc/self/mountinfo), and the pod
// directory removal that unmounts first and never follows symlinks out of the directory.
// Threads: callers serialize per pod (the VolumeManager's per-pod lock).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "storage/volumes/volume_manager.h"

namespace kite::storage {

// True when `path` is a mount point (listed in /proc/self/mountinfo).
bool is_mount_point(const std::string& path);
// Mount points strictly below `dir`, deepest first.
std::vector<std::string> mount_points_under(const std::string& dir);

// The variables a subPathExpr may use: the container's env values (each expanded against the
// ones before it) and fieldRef values of the pod (metadata.*, spec.*, status.*). Other
// valueFrom kinds (configMap/secret/resource refs) are not resolved here.
std::map<std::string, std::string> sub_path_env(const nlohmann::json& pod, const nlohmann::json& container);

// The mounts for `container` (volumes already set up under pods_dir), in volumeMounts order,
// then the termination-message file: <pods_dir>/<uid>/containers/<name>/<random id>, a fresh
// empty file (mode 0666) per call as kubelet uses one per container start.
base::Result<std::vector<HostMount>> resolve_container_mounts(const std::string& pods_dir, const nlohmann::json& pod,
                                                              const nlohmann::json& container);

// Unmounts everything below `pod_dir` and removes it (symlinks are removed, never followed).
// Refuses when `pod_dir` itself is a symlink or a mount stays. Missing dir: ok.
base::Result<void> remove_pod_dir(const std::string& pod_dir);

}  // namespace kite::storage
