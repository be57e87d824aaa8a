// VolumeManager: the node side of pod volumes. For a pod bound to this node it materializes
// every volume under <pods_dir>/<pod-uid>/volumes/<plugin>/<volume-name> (plugin as kubelet
// names it: kubernetes.io~empty-dir, kubernetes.io~configmap, kubernetes.io~secret,
// kubernetes.io~downward-api, kubernetes.io~projected; hostPath volumes are used in place) and
// resolves a container's volumeMounts (subPath, subPathExpr, readOnly, mountPropagation) to host
// paths for the runtime.
//
// Supported: emptyDir (medium "" on disk, "Memory" as a tmpfs with sizeLimit), hostPath (with
// its type checks: DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice,
// BlockDevice), configMap, secret, downwardAPI, projected (configMap, secret, downwardAPI,
// serviceAccountToken via the TokenRequest API, and the cluster CA as kube-root-ca.crt does),
// persistentVolumeClaim (until local volumes exist: an error saying the claim is not supported
// yet). configMap/secret/downwardAPI/projected content is written atomically (kubelet's
// ..data symlink swap) and refreshed by setup() when the source changes.
//
// Errors from setup() carry the message kubelet puts in a FailedMount event, e.g.
// `MountVolume.SetUp failed for volume "cfg" : configmap "app-config" not found`.
// Threads: all methods are thread-safe; calls for different pods may run concurrently.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "client/client.h"

namespace kite::storage {

struct HostMount {
  std::string container_path;
  std::string host_path;
  bool readonly = false;
  std::string propagation;  // "", "rprivate", "rslave", "rshared"
};

struct VolumeManagerOptions {
  std::string pods_dir;         // <data-dir>/agent/pods (kubelet's /var/lib/kubelet/pods)
  std::string node_name;
  std::string cluster_ca_file;  // PEM served as ca.crt in kube-root-ca.crt projections
};

class VolumeManager {
 public:
  VolumeManager(client::Client& client, VolumeManagerOptions options);
  ~VolumeManager();

  // Creates or refreshes every volume of `pod`. Idempotent; call on every pod sync.
  base::Result<void> setup(const nlohmann::json& pod);
  // The mounts for one container of `pod` (after setup()), in volumeMounts order, plus the
  // container's /dev/termination-log file mount. Errors name the bad volumeMount.
  base::Result<std::vector<HostMount>> mounts_for(const nlohmann::json& pod, const nlohmann::json& container);
  // Unmounts (tmpfs) and removes <pods_dir>/<pod_uid>. Idempotent.
  base::Result<void> teardown(const std::string& pod_uid);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kite::storage
