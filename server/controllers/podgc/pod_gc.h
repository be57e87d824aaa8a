// PodGC: the controller behind make_podgc_controller (see podgc_controller.h). Exposed so
// tests can run a pass with a ManualClock.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "base/periodic_thread.h"
#include "server/controllers/framework/controller.h"

namespace kite::controllers::podgc {

inline constexpr std::chrono::seconds kGcPeriod{20};
inline constexpr std::chrono::seconds kQuarantine{40};
inline constexpr size_t kTerminatedPodThreshold = 12500;

class PodGC final : public Controller {
 public:
  explicit PodGC(ControllerContext& ctx, size_t terminated_threshold = kTerminatedPodThreshold);
  ~PodGC() override;
  std::string name() const override { return "podgc"; }
  void start() override;
  void stop() override;
  // One pass of every collection (the periodic thread runs it every 20 s once synced).
  void run_once();

 private:
  void gc_orphaned(const std::vector<client::ObjectPtr>& pods);
  void gc_unscheduled_terminating(const std::vector<client::ObjectPtr>& pods);
  void gc_out_of_service(const std::vector<client::ObjectPtr>& pods);
  void gc_terminated(const std::vector<client::ObjectPtr>& pods);
  void mark_failed_and_force_delete(const client::json& pod, const std::string& reason, const std::string& message);
  void force_delete(const client::json& pod);

  ControllerContext& ctx_;
  client::Informer& pods_;
  client::Informer& nodes_;
  size_t terminated_threshold_;
  base::PeriodicThread thread_;
  std::map<std::string, std::chrono::system_clock::time_point> missing_since_;  // node -> first seen missing
};

}  // namespace kite::controllers::podgc
