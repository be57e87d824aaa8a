// NodeLifecycleController: the controller behind make_nodelifecycle_controller (see
// nodelifecycle_controller.h for the behaviour). Exposed so that tests can run the health
// pass with a ManualClock.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>

#include "base/periodic_thread.h"
#include "server/controllers/framework/controller.h"
#include "server/controllers/nodelifecycle/node_health.h"

namespace kite::controllers::nodelifecycle {

class NodeLifecycleController final : public QueueController {
 public:
  explicit NodeLifecycleController(ControllerContext& ctx);
  ~NodeLifecycleController() override;
  void start() override;
  void stop() override;
  // One health pass (the monitor thread runs it every node_monitor_period): node conditions,
  // NoExecute taints, and the due taint evictions.
  void monitor_node_health();

 protected:
  void register_handlers() override;
  std::vector<client::Informer*> informers_to_sync() override;
  base::Result<void> sync(const std::string& key) override;

 private:
  struct ScheduledEviction {
    time_point created;
    time_point fire;
  };

  base::Result<void> sync_node(const std::string& name);
  base::Result<void> sync_pod(const std::string& key);
  base::Result<void> mark_pod_not_ready(const json& pod);
  base::Result<void> evict(const json& pod);
  base::Result<void> swap_node_taints(const std::string& node, const std::string& effect,
                                      const std::vector<std::string>& remove_keys,
                                      const std::vector<std::string>& add_keys);
  void cancel_eviction(const std::string& pod_key);

  ControllerContext& ctx_;
  client::Informer& nodes_;
  client::Informer& pods_;
  client::Informer& leases_;
  client::EventRecorder recorder_;
  NodeHealthTracker health_;
  base::PeriodicThread monitor_;
  std::atomic<bool> all_disrupted_{false};
  std::mutex mu_;
  std::map<std::string, ScheduledEviction> evictions_;  // pod key -> when
};

}  // namespace kite::controllers::nodelifecycle
