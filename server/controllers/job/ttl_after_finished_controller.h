// The TTL-after-finished controller: deletes a finished Job (Complete or Failed condition True)
// spec.ttlSecondsAfterFinished seconds after it finished (the condition's
// lastTransitionTime), as kube-controller-manager's ttl-after-finished controller: a Job not
// yet due is requeued for the time it expires; when due, the Job is read again from the API
// server and, if still due, deleted with propagationPolicy Foreground and a uid precondition
// (upstream's choice, so `kubectl get pods` never shows the Job's pods without their Job).
// Jobs already being deleted are left alone.
//
// Threads: the Job informer's handler enqueues; 1 worker syncs.
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "server/controllers/framework/controller.h"

namespace kite::controllers {

std::unique_ptr<Controller> make_ttlafterfinished_controller(ControllerContext& ctx);

namespace job {

class TtlAfterFinishedController final : public QueueController {
 public:
  explicit TtlAfterFinishedController(ControllerContext& ctx, int workers = 1);
  ~TtlAfterFinishedController() override;
  base::Result<void> sync_now(const std::string& key) { return sync(key); }
  // How long until the Job expires (<= 0: expired); nullopt when it needs no clean-up.
  static std::optional<std::chrono::nanoseconds> time_left(const nlohmann::json& job, base::Clock::time_point now);

 protected:
  void register_handlers() override;
  std::vector<client::Informer*> informers_to_sync() override { return {jobs_}; }
  base::Result<void> sync(const std::string& key) override;

 private:
  base::Result<void> sync_key(const std::string& key);
  ControllerContext& ctx_;
  client::Informer* jobs_;
};

}  // namespace job
}  // namespace kite::controllers
