// LeaderElector: leader election on a coordination.k8s.io/v1 Lease, as client-go's
// leaderelection package does it, so that only one of several `kite server`s runs the
// scheduler and controllers.
//
// The candidate creates or takes over the Lease when it is absent or its renewTime is older
// than leaseDurationSeconds, then renews it every retry_period; when it cannot renew within
// renew_deadline it stops leading. holderIdentity, leaseDurationSeconds, acquireTime,
// renewTime and leaseTransitions are kept as Kubernetes does. Updates are compare-and-swap
// on resourceVersion, so two candidates never both lead.
//
// Callbacks run on the elector's thread: on_started_leading when it becomes leader,
// on_stopped_leading when it loses (or gives up) the lease after having led. stop() releases
// the lease if held (holderIdentity cleared) so a peer can take over at once.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "base/clock.h"
#include "client/client.h"

namespace kite::client {

struct LeaderElectionConfig {
  std::string lease_namespace = "kube-system";
  std::string lease_name;
  std::string identity;  // unique per candidate (hostname + random suffix)
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;
};

class LeaderElector {
 public:
  LeaderElector(Client& client, LeaderElectionConfig config, const base::Clock& clock = base::real_clock());
  ~LeaderElector();  // stops
  void start();
  void stop();
  bool is_leader() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace kite::client
