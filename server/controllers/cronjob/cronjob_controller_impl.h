// CronJobController: the class behind make_cronjob_controller (see cronjob_controller.h).
// Exposed for unit tests, which call sync_now() and read the requeue delay it chose.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "client/event_recorder.h"
#include "server/controllers/cronjob/cron_schedule.h"
#include "server/controllers/framework/controller.h"

namespace kite::controllers::cronjob {

using json = nlohmann::json;

class CronJobController final : public QueueController {
 public:
  // `default_zone`: the zone schedules without spec.timeZone are read in (null: local zone).
  explicit CronJobController(ControllerContext& ctx, int workers = 2,
                             std::shared_ptr<const TimeZone> default_zone = nullptr);
  ~CronJobController() override;

  // Tests: one sync now, and the delay the last sync of `key` asked to be requeued after.
  base::Result<void> sync_now(const std::string& key) { return sync(key); }
  std::optional<std::chrono::nanoseconds> last_requeue_after(const std::string& key) const;
  void flush_events() { recorder_.flush(); }

 protected:
  void register_handlers() override;
  std::vector<client::Informer*> informers_to_sync() override { return {cronjobs_, jobs_}; }
  base::Result<void> sync(const std::string& key) override;

 private:
  struct SyncResult {
    std::optional<std::chrono::nanoseconds> requeue_after;
    bool update_status = false;
    base::Status error;
  };

  void on_job_event(const client::ObjectPtr& old_job, const client::ObjectPtr& job);
  void on_cronjob_update(const client::ObjectPtr& old_cj, const client::ObjectPtr& cj);
  // The cached CronJob that controls `job`, if any.
  client::ObjectPtr owner_of(const json& job) const;
  std::vector<client::ObjectPtr> jobs_of(const json& cj) const;

  base::Result<void> sync_key(const std::string& key);
  SyncResult sync_cronjob(json& cj, const std::vector<client::ObjectPtr>& jobs);
  bool cleanup_finished_jobs(json& cj, const std::vector<client::ObjectPtr>& jobs);
  bool remove_oldest_jobs(json& cj, std::vector<client::ObjectPtr> jobs, int64_t keep);
  bool delete_job(json& cj, const json& job);
  // Upstream formatSchedule: the schedule with a TZ= prefix for spec.timeZone.
  std::string format_schedule(const json& cj, bool warn);
  void event(const json& cj, const std::string& type, const std::string& reason, const std::string& message);
  void requeue_after(const std::string& key, std::chrono::nanoseconds delay);

  ControllerContext& ctx_;
  client::Informer* cronjobs_;
  client::Informer* jobs_;
  client::EventRecorder recorder_;
  std::shared_ptr<const TimeZone> default_zone_;
  mutable std::mutex mu_;
  std::map<std::string, std::chrono::nanoseconds> requeues_;
};

}  // namespace kite::controllers::cronjob
