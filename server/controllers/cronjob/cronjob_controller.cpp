#include "server/controllers/cronjob/cronjob_controller.h"

#include "server/controllers/cronjob/cronjob_controller_impl.h"
#include "server/controllers/cronjob/schedule_times.h"

namespace kite::controllers {

std::unique_ptr<Controller> make_cronjob_controller(ControllerContext& ctx) {
  return std::make_unique<cronjob::CronJobController>(ctx);
}

}  // namespace kite::controllers

namespace kite::controllers::cronjob {

namespace {

const json* controller_ref(const json& obj) {
  const json::json_pointer p("/metadata/ownerReferences");
  if (!obj.contains(p) || !obj.at(p).is_array()) return nullptr;
  for (const auto& ref : obj.at(p))
    if (ref.value("controller", false)) return &ref;
  return nullptr;
}

std::string spec_string(const json& cj, const char* field) {
  const json spec = cj.value("spec", json::object());
  return spec.contains(field) && spec[field].is_string() ? spec[field].get<std::string>() : "";
}

}  // namespace

CronJobController::CronJobController(ControllerContext& ctx, int workers, std::shared_ptr<const TimeZone> default_zone)
    : QueueController("cronjob-controller", workers),
      ctx_(ctx),
      cronjobs_(&ctx.informers.informer(client::resources::kCronJobs)),
      jobs_(&ctx.informers.informer(client::resources::kJobs)),
      recorder_(ctx.client, client::EventSource{"cronjob-controller", ""}, ctx.clock),
      default_zone_(default_zone ? std::move(default_zone) : TimeZone::local()) {}

CronJobController::~CronJobController() { stop(); }

void CronJobController::register_handlers() {
  client::EventHandlers jobs;
  jobs.on_add = [this](const client::ObjectPtr& j) { on_job_event(nullptr, j); };
  jobs.on_update = [this](const client::ObjectPtr& o, const client::ObjectPtr& n) { on_job_event(o, n); };
  jobs.on_delete = [this](const client::ObjectPtr& j) { on_job_event(nullptr, j); };
  jobs_->add_handlers(std::move(jobs));

  client::EventHandlers cjs;
  cjs.on_add = [this](const client::ObjectPtr& cj) { enqueue(cj); };
  cjs.on_update = [this](const client::ObjectPtr& o, const client::ObjectPtr& n) { on_cronjob_update(o, n); };
  cjs.on_delete = [this](const client::ObjectPtr& cj) { enqueue(cj); };
  cronjobs_->add_handlers(std::move(cjs));
}

client::ObjectPtr CronJobController::owner_of(const json& job) const {
  const json* ref = controller_ref(job);
  if (ref == nullptr || ref->value("kind", "") != "CronJob") return nullptr;
  auto cj = cronjobs_->get(job["metadata"].value("namespace", "") + "/" + ref->value("name", ""));
  if (!cj || (*cj)["metadata"].value("uid", "") != ref->value("uid", "")) return nullptr;
  return cj;
}

void CronJobController::on_job_event(const client::ObjectPtr& old_job, const client::ObjectPtr& job) {
  if (!job) return;
  if (old_job) {
    if ((*old_job)["metadata"].value("resourceVersion", "") == (*job)["metadata"].value("resourceVersion", "")) return;
    const json* old_ref = controller_ref(*old_job);
    const json* new_ref = controller_ref(*job);
    if (old_ref != nullptr && (new_ref == nullptr || *old_ref != *new_ref)) {
      if (auto cj = owner_of(*old_job)) enqueue(cj);
    }
  }
  if (auto cj = owner_of(*job)) enqueue(cj);
}

void CronJobController::on_cronjob_update(const client::ObjectPtr& old_cj, const client::ObjectPtr& cj) {
  if (!cj) return;
  bool schedule_changed = !old_cj || spec_string(*old_cj, "schedule") != spec_string(*cj, "schedule") ||
                          (*old_cj)["spec"].value("timeZone", json()) != (*cj)["spec"].value("timeZone", json());
  if (!schedule_changed) {
    enqueue(cj);
    return;
  }
  auto schedule = CronSchedule::parse(format_schedule(*cj, false), default_zone_);
  if (!schedule) {
    event(*cj, "Warning", "UnParseableCronJobSchedule", "unparseable schedule for cronjob: " + spec_string(*cj, "schedule"));
    return;
  }
  auto delay = next_schedule_delay(*cj, ctx_.clock.now(), *schedule);
  if (!delay) return;
  queue().add_after(client::object_key(*cj), std::chrono::ceil<std::chrono::milliseconds>(*delay));
}

std::vector<client::ObjectPtr> CronJobController::jobs_of(const json& cj) const {
  std::vector<client::ObjectPtr> out;
  const std::string name = cj["metadata"].value("name", "");
  for (auto& job : jobs_->by_index(client::kIndexNamespace, cj["metadata"].value("namespace", ""))) {
    const json* ref = controller_ref(*job);
    if (ref != nullptr && ref->value("kind", "") == "CronJob" && ref->value("name", "") == name) out.push_back(job);
  }
  return out;
}

void CronJobController::event(const json& cj, const std::string& type, const std::string& reason,
                              const std::string& message) {
  json obj = cj;
  obj["kind"] = "CronJob";
  obj["apiVersion"] = "batch/v1";
  recorder_.event(obj, type, reason, message);
}

void CronJobController::requeue_after(const std::string& key, std::chrono::nanoseconds delay) {
  {
    std::lock_guard lock(mu_);
    requeues_[key] = delay;
  }
  queue().add_after(key, std::chrono::ceil<std::chrono::milliseconds>(std::max(delay, std::chrono::nanoseconds(0))));
}

std::optional<std::chrono::nanoseconds> CronJobController::last_requeue_after(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = requeues_.find(key);
  if (it == requeues_.end()) return std::nullopt;
  return it->second;
}

std::string CronJobController::format_schedule(const json& cj, bool warn) {
  const std::string schedule = spec_string(cj, "schedule");
  if (schedule.find("TZ") != std::string::npos) {
    if (warn)
      event(cj, "Warning", "UnsupportedSchedule",
            "CRON_TZ or TZ used in schedule \"" + schedule +
                "\" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details");
    return schedule;
  }
  const json spec = cj.value("spec", json::object());
  if (spec.contains("timeZone") && spec["timeZone"].is_string()) {
    const std::string tz = spec["timeZone"].get<std::string>();
    if (!TimeZone::load(tz)) return schedule;
    return "TZ=" + tz + " " + schedule;
  }
  return schedule;
}

base::Result<void> CronJobController::sync(const std::string& key) {
  try {
    return sync_key(key);
  } catch (const std::exception& e) {  // malformed objects from the API (nlohmann type errors)
    return std::unexpected(base::Status(base::Reason::InternalError, "syncing cronjob " + key + ": " + e.what()));
  }
}

base::Result<void> CronJobController::sync_key(const std::string& key) {
  {
    std::lock_guard lock(mu_);
    requeues_.erase(key);
  }
  auto cached = cronjobs_->get(key);
  if (!cached) return {};
  json cj = *cached;
  auto jobs = jobs_of(cj);
  bool update = cleanup_finished_jobs(cj, jobs);
  SyncResult r = sync_cronjob(cj, jobs);
  if (cj.contains("status") && cj["status"].is_object() && cj["status"].contains("active") &&
      (!cj["status"]["active"].is_array() || cj["status"]["active"].empty()))
    cj["status"].erase("active");
  if (update || r.update_status) {
    cj["kind"] = "CronJob";
    cj["apiVersion"] = "batch/v1";
    auto written = ctx_.client.update(client::resources::kCronJobs, cj, "status");
    if (!written) return std::unexpected(written.error());
  }
  if (r.requeue_after) {
    requeue_after(key, *r.requeue_after);
    return {};
  }
  if (!r.error.is_ok()) return std::unexpected(r.error);
  return {};
}

}  // namespace kite::controllers::cronjob
