#include "server/app/control_plane.h"

#include "base/log.h"
#include "server/controllers/all_controllers.h"

namespace kite::serverapp {

namespace {

client::RestClientOptions in_process_options(const std::string& agent) {
  client::RestClientOptions o;
  o.user_agent = agent;
  return o;
}

}  // namespace

ControlPlane::ControlPlane(client::RequestHandler api_handler, ControlPlaneOptions options)
    : options_(std::move(options)) {
  controller_client_ = client::make_in_process_client(
      api_handler, base::http::PeerCertificate{"system:kube-controller-manager", {"system:masters"}},
      in_process_options("kite-controller-manager"));
  scheduler_client_ = client::make_in_process_client(
      api_handler, base::http::PeerCertificate{"system:kube-scheduler", {"system:masters"}},
      in_process_options("kite-scheduler"));
  informers_ = std::make_unique<client::InformerFactory>(*controller_client_);
  context_ = std::make_unique<controllers::ControllerContext>(
      controllers::ControllerContext{*controller_client_, *informers_, base::real_clock(), options_.settings});
}

ControlPlane::~ControlPlane() { stop(); }

void ControlPlane::start() {
  if (options_.run_controllers) {
    client::LeaderElectionConfig le;
    le.lease_name = "kube-controller-manager";
    le.identity = options_.identity;
    le.on_started_leading = [this] { start_controllers(); };
    le.on_stopped_leading = [this] { stop_controllers(); };
    controller_elector_ = std::make_unique<client::LeaderElector>(*controller_client_, std::move(le));
    controller_elector_->start();
  }
  if (options_.run_scheduler) {
    client::LeaderElectionConfig le;
    le.lease_name = "kube-scheduler";
    le.identity = options_.identity;
    le.on_started_leading = [this] { start_scheduler(); };
    le.on_stopped_leading = [this] { stop_scheduler(); };
    scheduler_elector_ = std::make_unique<client::LeaderElector>(*scheduler_client_, std::move(le));
    scheduler_elector_->start();
  }
}

void ControlPlane::stop() {
  // Electors first (releasing their leases lets another server take over at once), then what
  // they started, then the shared informers.
  if (controller_elector_) controller_elector_->stop();
  if (scheduler_elector_) scheduler_elector_->stop();
  stop_controllers();
  stop_scheduler();
  if (informers_) informers_->stop_all();
}

void ControlPlane::start_controllers() {
  std::lock_guard lock(mu_);
  if (!controllers_.empty()) return;
  controllers_ = controllers::make_all_controllers(*context_);
  for (auto& c : controllers_) c->start();
  informers_->start_all();
  KITE_LOG(info, "control-plane") << "leading kube-controller-manager: started " << controllers_.size()
                                  << " controllers";
}

void ControlPlane::stop_controllers() {
  std::lock_guard lock(mu_);
  for (auto& c : controllers_) c->stop();
  if (!controllers_.empty()) {
    KITE_LOG(info, "control-plane") << "stopped the controllers";
  }
  // Their handlers stay registered on the shared informers (which cannot remove a handler), so
  // stopped controllers are kept alive; their queues are shut and ignore further events.
  for (auto& c : controllers_) retired_.push_back(std::move(c));
  controllers_.clear();
}

void ControlPlane::start_scheduler() {
  std::lock_guard lock(mu_);
  if (scheduler_running_) return;
  // Created once: its informer handlers stay registered while it is stopped.
  if (!scheduler_) scheduler_ = std::make_unique<scheduler::Scheduler>(*scheduler_client_, *informers_);
  scheduler_->start();
  scheduler_running_ = true;
  informers_->start_all();
  KITE_LOG(info, "control-plane") << "leading kube-scheduler: scheduling";
}

void ControlPlane::stop_scheduler() {
  std::lock_guard lock(mu_);
  if (!scheduler_running_) return;
  scheduler_->stop();
  scheduler_running_ = false;
  KITE_LOG(info, "control-plane") << "stopped the scheduler";
}

}  // namespace kite::serverapp
