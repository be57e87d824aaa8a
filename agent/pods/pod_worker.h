// PodWorker: one sync of one pod, kubelet's SyncPod in kite's terms. The PodManager calls
// sync() for a pod uid whenever something about it changed (API object, runtime state, probe
// result, a timer); calls for one uid never overlap (the work queue serializes them), calls
// for different pods run in parallel on the manager's worker threads.
//
// A sync is level-triggered and idempotent. For a live pod it: sets up volumes (FailedMount),
// (re)creates the sandbox when none is ready (killing what is left of the old one;
// FailedCreatePodSandBox), runs init containers one at a time in order, then starts the app
// containers that should run under the restart policy, with CrashLoopBackOff (10 s doubling to
// 5 min, reset after the container ran 10 min), image pulls (image_puller.h), env
// (CreateContainerConfigError), mounts, and the postStart hook; restarts containers whose spec
// hash changed or whose liveness/startup probe failed; prunes dead instances (keeping the
// newest two of each container for lastState and `logs --previous`); then writes the status
// (pod_status.h) when it changed. A pod being deleted is terminated gracefully (preStop, stop
// with the remaining grace period, sandbox and volumes removed) and its deletion confirmed with
// DELETE gracePeriodSeconds=0 and a uid precondition. A pod in a terminal phase keeps its
// status; its leftovers are stopped and its volumes torn down. A pod gone from the API (force
// deletion, or bound elsewhere) is removed from the runtime entirely.
//
// Threads: sync() blocks on the runtime and API; it may run on any thread.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/podenv/container_env.h"
#include "agent/pods/backoff.h"
#include "agent/pods/image_puller.h"
#include "agent/pods/pod_events.h"
#include "agent/pods/pod_status.h"
#include "agent/pods/probe_manager.h"
#include "agent/pods/sandbox_config.h"
#include "agent/runtime/runtime.h"
#include "base/clock.h"
#include "client/client.h"
#include "storage/volumes/volume_manager.h"

namespace kite::agent::pods {

// The volume and env seams (storage::VolumeManager and resolve_container_env in production).
struct PodSeams {
  std::function<base::Result<void>(const nlohmann::json& pod)> setup_volumes;
  std::function<base::Result<std::vector<storage::HostMount>>(const nlohmann::json& pod, const nlohmann::json& container)>
      mounts_for;
  std::function<base::Result<void>(const std::string& pod_uid)> teardown_volumes;
  std::function<base::Result<std::vector<KeyValue>>(const nlohmann::json& pod, const nlohmann::json& container,
                                                    const EnvContext& context)>
      resolve_env;
};

struct PodWorkerDeps {
  client::Client* client = nullptr;
  Runtime* runtime = nullptr;
  const base::Clock* clock = nullptr;
  const PodEvents* events = nullptr;
  ProbeManager* probes = nullptr;
  ImagePuller* images = nullptr;
  SandboxSettings sandbox;
  std::string node_name, node_ip;
  std::string runtime_name = "containerd";
  int64_t memory_capacity_bytes = 0;
  PodSeams seams;
};

// What the worker remembers about a pod between syncs (one per uid, owned by the manager).
// Only sync() touches it, except wake_at which the manager's relist thread reads.
struct PodRecord {
  std::string uid;
  std::map<std::string, ContainerWaiting> waiting;   // kubelet's reason cache
  nlohmann::json last_status;                       // last status written (null = none)
  std::map<std::string, std::string> termination_logs;  // container name -> host file
  bool terminal_done = false;    // terminal pod: leftovers stopped, volumes torn down
  bool deletion_confirmed = false;
  bool removed = false;          // gone from API and runtime: the manager may drop the record
  // Sync again at this clock time (ns since epoch; 0 = no timer): back-off expiry and the like.
  std::atomic<int64_t> wake_at_ns{0};
  void wake_at(base::Clock::time_point t);
  // The runtime state (runtime_signature) the last sync ended with: a relist that finds the pod
  // in exactly this state does not sync it again. Written by the worker, read by the relist.
  void set_synced_signature(std::string signature);
  std::string synced_signature() const;

 private:
  mutable std::mutex signature_mu_;
  std::string synced_signature_;
};

class PodWorker {
 public:
  explicit PodWorker(PodWorkerDeps deps);
  // `pod` is the latest API object (null when the pod is gone from the API).
  base::Result<void> sync(PodRecord& record, const std::shared_ptr<const nlohmann::json>& pod);
  const PodWorkerDeps& deps() const { return deps_; }

 private:
  base::Result<void> sync_live(PodRecord& rec, const nlohmann::json& pod);
  base::Result<void> sync_containers(PodRecord& rec, const nlohmann::json& pod, PodRuntimeView& view);
  base::Result<std::string> ensure_sandbox(PodRecord& rec, const nlohmann::json& pod, PodRuntimeView& view,
                                           bool* created);
  // Starts one container; false when it did not start (the reason is cached in rec.waiting).
  bool start_container(PodRecord& rec, const nlohmann::json& pod, const nlohmann::json& spec,
                       const std::string& sandbox_id, const SandboxConfig& sandbox_config, const PodRuntimeView& view);
  bool run_post_start(PodRecord& rec, const nlohmann::json& pod, const nlohmann::json& spec, const std::string& id,
                      const std::string& pod_ip);
  // Stops a running container: preStop, then stop with the rest of `grace_seconds`.
  void kill_container(const nlohmann::json& pod, const ContainerStatus& c, int64_t grace_seconds,
                      const std::string& message, const std::string& pod_ip);
  void kill_all(const nlohmann::json* pod, const PodRuntimeView& view, int64_t grace_seconds, const std::string& pod_ip);
  void prune(const PodRuntimeView& view);
  base::Result<void> terminate(PodRecord& rec, const nlohmann::json& pod);
  base::Result<void> finish_terminal(PodRecord& rec, const nlohmann::json& pod);
  base::Result<void> remove_orphan(PodRecord& rec);
  void release(const std::string& uid, const std::string& log_dir, const std::string& cgroup);
  base::Result<void> write_status(PodRecord& rec, const nlohmann::json& pod, const PodRuntimeView& view,
                                  bool final_phase = false);
  std::string probe_ip(const nlohmann::json& pod, const PodRuntimeView& view) const;

  PodWorkerDeps deps_;
  Backoff crash_backoff_{std::chrono::seconds(10), std::chrono::minutes(5)};
};

// A JSON merge patch turning `from` into `to` (null when they are equal).
nlohmann::json merge_patch_diff(const nlohmann::json& from, const nlohmann::json& to);

}  // namespace kite::agent::pods
