// JobController: the class behind make_job_controller (see job_controller.h for behaviour).
// Exposed for unit tests, which call sync_now() and read the expectations instead of running
// worker threads.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/event_recorder.h"
#include "server/controllers/framework/controller.h"
#include "server/controllers/job/completed_indexes.h"
#include "server/controllers/job/job_expectations.h"

namespace kite::controllers::job {

using json = nlohmann::json;

class JobController final : public QueueController {
 public:
  explicit JobController(ControllerContext& ctx, int workers = 2);
  ~JobController() override;

  // Tests: run one sync of a Job key ("ns/name") now.
  base::Result<void> sync_now(const std::string& key) { return sync(key); }
  bool expectations_satisfied(const std::string& key) const;
  void flush_events() { recorder_.flush(); }

 protected:
  void register_handlers() override;
  std::vector<client::Informer*> informers_to_sync() override;
  base::Result<void> sync(const std::string& key) override;

 private:
  struct Condition {
    std::string type, reason, message;
  };
  struct SyncContext;

  // Informer events.
  void on_pod_add(const client::ObjectPtr& pod);
  void on_pod_update(const client::ObjectPtr& old_pod, const client::ObjectPtr& pod);
  void on_pod_delete(const client::ObjectPtr& pod);
  // The key of the Job controlling `pod` (only when that Job is in the cache with its uid).
  std::optional<std::string> owner_job_key(const json& pod) const;

  base::Result<void> sync_key(const std::string& key);
  base::Result<void> sync_job(const std::string& key, const json& cached);
  base::Result<void> sync_orphan_pod(const std::string& pod_key);
  base::Result<void> remove_finalizers_of_finished(const std::string& key, const json& job);
  std::vector<client::ObjectPtr> pods_of(const json& job) const;

  // Steps of sync_job.
  void count_finished_pods(SyncContext& c);
  int manage_job(SyncContext& c, base::Status* err);
  int delete_active_pods(SyncContext& c, int* deleted_ready, base::Status* err);
  int delete_job_pods(SyncContext& c, const std::vector<client::ObjectPtr>& pods, base::Status* err);
  int create_pods(SyncContext& c, int count, base::Status* err);
  base::Result<void> track_status_and_remove_finalizers(SyncContext& c, bool needs_flush);
  base::Result<void> write_status(SyncContext& c);
  bool remove_tracking_finalizer(const std::string& job_key, const json& pod, base::Status* err);
  void event(const json& job, const std::string& type, const std::string& reason, const std::string& message);

  ControllerContext& ctx_;
  client::Informer* jobs_ = nullptr;
  client::Informer* pods_ = nullptr;
  client::EventRecorder recorder_;
  JobExpectations expectations_;
  BackoffStore backoff_;
};

}  // namespace kite::controllers::job
