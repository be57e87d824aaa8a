// ControlPlane: the controllers and the scheduler `kite server` runs in-process, each under
// leader election on its own Lease in kube-system (kube-controller-manager, kube-scheduler),
// so that with several servers exactly one runs each.
//
// Both talk to this server's API through an in-process client (no socket, no TLS) as the
// identities system:kube-controller-manager and system:kube-scheduler, and share one set of
// informers. Losing a lease stops what it guarded; winning it again restarts it.
//
// Threads: start()/stop() from the owning thread; the leader electors' threads start and
// stop controllers and the scheduler.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "client/informer.h"
#include "client/leader_election.h"
#include "client/rest_client.h"
#include "scheduler/scheduler.h"
#include "server/controllers/framework/controller.h"

namespace kite::serverapp {

struct ControlPlaneOptions {
  bool run_controllers = true;
  bool run_scheduler = true;
  controllers::ControllerSettings settings;
  std::string identity;  // leader election identity, unique per server process
};

class ControlPlane {
 public:
  ControlPlane(client::RequestHandler api_handler, ControlPlaneOptions options);
  ~ControlPlane();  // stops
  ControlPlane(const ControlPlane&) = delete;
  ControlPlane& operator=(const ControlPlane&) = delete;

  void start();
  void stop();

 private:
  void start_controllers();
  void stop_controllers();
  void start_scheduler();
  void stop_scheduler();

  ControlPlaneOptions options_;
  std::unique_ptr<client::Client> controller_client_;
  std::unique_ptr<client::Client> scheduler_client_;
  std::unique_ptr<client::InformerFactory> informers_;
  std::unique_ptr<controllers::ControllerContext> context_;
  std::unique_ptr<client::LeaderElector> controller_elector_;
  std::unique_ptr<client::LeaderElector> scheduler_elector_;

  std::mutex mu_;  // guards what the electors' callbacks start and stop
  std::vector<std::unique_ptr<controllers::Controller>> controllers_;
  std::vector<std::unique_ptr<controllers::Controller>> retired_;  // stopped after a lost lease
  std::unique_ptr<scheduler::Scheduler> scheduler_;
  bool scheduler_running_ = false;
};

}  // namespace kite::serverapp
