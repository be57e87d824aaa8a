// ProbeManager: liveness, readiness and startup probes of the running containers on this node,
// as kubelet's prober workers run them.
//
// The pod worker calls update_pod() after every sync with the pod's running containers; the
// manager keeps one worker per (pod, container, probe kind) and forgets it when the container
// or pod goes. A timer thread wakes every `tick` (real time), and a probe is due when, on the
// injected clock, the container has run for initialDelaySeconds and periodSeconds have passed
// since the last run; due probes run on `threads` prober threads (exec through the runtime,
// httpGet, tcpSocket; handler.h), bounded by timeoutSeconds. Results follow kubelet: a result
// counts after successThreshold / failureThreshold consecutive runs; readiness starts false,
// liveness true, startup false; liveness/readiness wait until the startup probe succeeded;
// startup stops after success; a liveness/startup failure holds the worker until the container
// is replaced. Every failed run emits Warning Unhealthy "<Kind> probe failed: <output>"
// ("errored" for runtime errors, which do not count). When a result changes, on_change(pod uid)
// asks the pod worker to sync.
//
// Threads: update_pod/remove_pod/queries from any thread (one mutex); the timer and prober
// threads are the manager's own. start()/stop() from the owning thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/pods/pod_events.h"
#include "agent/runtime/runtime.h"
#include "base/clock.h"

namespace kite::agent::pods {

enum class ProbeKind { kLiveness, kReadiness, kStartup };

struct ProbeManagerOptions {
  Runtime* runtime = nullptr;
  const base::Clock* clock = nullptr;
  const PodEvents* events = nullptr;
  std::function<void(const std::string& pod_uid)> on_change;
  std::chrono::milliseconds tick{100};
  int threads = 2;
};

struct RunningContainer {
  std::string name;
  std::string id;
  base::Clock::time_point started_at;
};

class ProbeManager {
 public:
  explicit ProbeManager(ProbeManagerOptions options);
  ~ProbeManager();
  ProbeManager(const ProbeManager&) = delete;
  ProbeManager& operator=(const ProbeManager&) = delete;

  void start();
  void stop();

  // The pod's current spec, IP to probe (node IP for hostNetwork) and running containers.
  void update_pod(const nlohmann::json& pod, const std::string& probe_ip, const std::vector<RunningContainer>& running);
  void remove_pod(const std::string& pod_uid);

  // Whether the container instance is ready: no readiness probe -> true once started.
  bool ready(const std::string& pod_uid, const std::string& name, const std::string& container_id) const;
  // Whether the container passed its startup probe (true without one).
  bool started(const std::string& pod_uid, const std::string& name, const std::string& container_id) const;
  // The kill message when a liveness or startup probe failed for this instance
  // ("Container app failed liveness probe, will be restarted"), nullopt otherwise.
  std::optional<std::string> kill_reason(const std::string& pod_uid, const std::string& name,
                                         const std::string& container_id) const;

 private:
  struct State;
  void run_timer();
  void run_prober();
  std::unique_ptr<State> state_;
};

}  // namespace kite::agent::pods
