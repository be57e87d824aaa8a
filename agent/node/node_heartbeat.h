// NodeHeartbeat: registers this agent's Node and keeps it alive, as kubelet does.
//
//   - register_node(): creates the Node (labels, --node-taint taints, status); if it exists
//     (a restart, or a node that re-joins), merges our labels into it and keeps its spec
//     (taints are only set at registration, like kubelet's --register-with-taints).
//   - tick(): renews the Lease kube-node-lease/<node> (holderIdentity = node,
//     leaseDurationSeconds 40, owned by the Node) every lease_renew_interval (10 s), and
//     posts nodes/status (a merge patch) when it changed (readiness, runtime version, ...) or
//     status_report_frequency (1 min, kubelet's nodeStatusReportFrequency) has passed.
//     Failures are logged and retried on the next tick.
//   - start()/stop(): a thread calling tick() every `tick_interval` (1 s).
// Time comes from the injected Clock: tests call tick() with a ManualClock on a FakeClient.
//
// Threads: register_node() and tick() are called from one thread at a time (the owner before
// start(), then the heartbeat thread); start()/stop() from the owning thread. The readiness
// and runtime_version callbacks run on the calling thread and must be thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "agent/node/node_object.h"
#include "base/clock.h"
#include "base/periodic_thread.h"
#include "client/client.h"

namespace kite::agent {

struct NodeHeartbeatOptions {
  NodeSettings settings;
  MachineFacts facts;
  std::function<Readiness()> readiness;            // empty = not ready, "container runtime not started"
  std::function<std::string()> runtime_version;    // e.g. "containerd://1.6.20"; empty = ""
  std::chrono::seconds lease_renew_interval{10};
  int lease_duration_seconds = 40;
  std::chrono::seconds status_report_frequency{60};
  std::chrono::milliseconds tick_interval{1000};
};

class NodeHeartbeat {
 public:
  NodeHeartbeat(client::Client& client, const base::Clock& clock, NodeHeartbeatOptions options);
  ~NodeHeartbeat();

  base::Result<void> register_node();
  void tick();
  void start();
  void stop();

  // Counters for tests and logs.
  int status_posts() const { return status_posts_; }
  int lease_renewals() const { return lease_renewals_; }

 private:
  Readiness readiness() const;
  std::string runtime_version() const;
  base::Result<void> post_status(const json& status);
  base::Result<void> renew_lease();

  client::Client& client_;
  const base::Clock& clock_;
  NodeHeartbeatOptions options_;
  std::string node_uid_;
  json last_status_;  // as last posted (null before the first post)
  std::optional<base::Clock::time_point> last_status_post_;
  std::optional<base::Clock::time_point> last_lease_renew_;
  json lease_;  // the Lease as last written (null = unknown: get it first)
  std::atomic<int> status_posts_{0};
  std::atomic<int> lease_renewals_{0};
  base::PeriodicThread thread_;
};

}  // namespace kite::agent
