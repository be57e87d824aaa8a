// PodManager: the kubelet's pod lifecycle for one node, over agent::Runtime.
//
// It watches the pods bound to this node (fieldSelector spec.nodeName=<node>), keeps one
// record per pod uid, and hands uids to a work queue: a pod is synced by one PodWorker call at
// a time (pod_worker.h), different pods in parallel on `workers` threads. A PLEG-style relist
// every relist_period lists the runtime's sandboxes and containers, enqueues the pods whose
// runtime state changed, the pods whose timers are due on the injected clock (back-off
// expiry), and runtime leftovers of pods no longer bound here (removed once the informer has
// synced). After an agent restart the first relist and the informer's adds rebuild everything
// from the runtime's labels: running containers whose io.kubernetes.container.hash matches
// the spec are adopted, not restarted. Probes run on the ProbeManager's threads and enqueue
// the pod when a result changes. Events go through a client::EventRecorder (source
// "kubelet", host = node name).
//
// Threads: start()/stop() from the owning thread; the informer thread, `workers` worker
// threads, the relist thread, the probe timer + prober threads and the event recorder thread
// are the manager's own. stop() joins them all (in-flight syncs finish first).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/pods/pod_worker.h"
#include "agent/runtime/runtime.h"
#include "base/clock.h"
#include "base/status.h"
#include "client/client.h"
#include "storage/volumes/volume_manager.h"

namespace kite::agent::pods {

struct PodManagerOptions {
  client::Client* client = nullptr;
  // Events go through this client when set (kubelet rate-limits events apart from its other
  // API calls, so a burst of events never delays status updates); null = `client`.
  client::Client* event_client = nullptr;
  agent::Runtime* runtime = nullptr;
  storage::VolumeManager* volumes = nullptr;  // null: no volumes (unless the seams below are set)
  base::Clock* clock = nullptr;               // null: the real clock
  std::string node_name, node_ip;
  std::string cluster_dns;                    // "10.43.0.10"; "" = pods use the host's DNS
  std::string cluster_domain = "cluster.local";
  std::string log_root = "/var/log/pods";
  // Per node, e.g. "/kite-<node>/kubepods", so simulated nodes don't collide; pods get
  // <cgroup_parent>/pod<uid>. "" = the runtime's default.
  std::string cgroup_parent;
  std::string resolv_conf = "/etc/resolv.conf";
  std::chrono::milliseconds relist_period{1000};
  int workers = 4;
  std::chrono::milliseconds probe_tick{100};  // how often due probes are looked for (real time)
  int probe_threads = 2;
  int64_t memory_capacity_bytes = 0;          // 0 = this machine's memory (oom_score_adj)
  // Seams for tests: override the volume manager / resolve_container_env when set.
  PodSeams seams;
};

class PodManager {
 public:
  explicit PodManager(PodManagerOptions options);
  ~PodManager();  // stops
  PodManager(const PodManager&) = delete;
  PodManager& operator=(const PodManager&) = delete;

  base::Result<void> start();
  void stop();  // idempotent

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kite::agent::pods
