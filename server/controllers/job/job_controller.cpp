#include "server/controllers/job/job_controller.h"

#include "base/log.h"
#include "server/controllers/job/job_controller_impl.h"
#include "server/controllers/job/job_pods.h"

namespace kite::controllers {

std::unique_ptr<Controller> make_job_controller(ControllerContext& ctx) {
  return std::make_unique<job::JobController>(ctx);
}

}  // namespace kite::controllers

namespace kite::controllers::job {

namespace {

constexpr const char* kOrphanPodPrefix = "orphan-pod:";

const json* controller_ref(const json& obj) {
  const json::json_pointer p("/metadata/ownerReferences");
  if (!obj.contains(p) || !obj.at(p).is_array()) return nullptr;
  for (const auto& ref : obj.at(p))
    if (ref.value("controller", false)) return &ref;
  return nullptr;
}

std::string uid_of(const json& obj) {
  const json::json_pointer p("/metadata/uid");
  return obj.contains(p) && obj.at(p).is_string() ? obj.at(p).get<std::string>() : "";
}

}  // namespace

JobController::JobController(ControllerContext& ctx, int workers)
    : QueueController("job-controller", workers),
      ctx_(ctx),
      recorder_(ctx.client, client::EventSource{"job-controller", ""}, ctx.clock) {
  jobs_ = &ctx.informers.informer(client::resources::kJobs);
  pods_ = &ctx.informers.informer(client::resources::kPods);
}

JobController::~JobController() { stop(); }

std::vector<client::Informer*> JobController::informers_to_sync() { return {jobs_, pods_}; }

bool JobController::expectations_satisfied(const std::string& key) const {
  return expectations_.satisfied(key, ctx_.clock.now());
}

void JobController::register_handlers() {
  client::EventHandlers job_handlers;
  job_handlers.on_add = [this](const client::ObjectPtr& obj) { enqueue(obj); };
  job_handlers.on_update = [this](const client::ObjectPtr&, const client::ObjectPtr& obj) { enqueue(obj); };
  job_handlers.on_delete = [this](const client::ObjectPtr& obj) { enqueue(obj); };
  jobs_->add_handlers(std::move(job_handlers));

  client::EventHandlers pod_handlers;
  pod_handlers.on_add = [this](const client::ObjectPtr& obj) { on_pod_add(obj); };
  pod_handlers.on_update = [this](const client::ObjectPtr& o, const client::ObjectPtr& n) { on_pod_update(o, n); };
  pod_handlers.on_delete = [this](const client::ObjectPtr& obj) { on_pod_delete(obj); };
  pods_->add_handlers(std::move(pod_handlers));
}

std::optional<std::string> JobController::owner_job_key(const json& pod) const {
  const json* ref = controller_ref(pod);
  if (ref == nullptr || ref->value("kind", "") != "Job") return std::nullopt;
  std::string key = pod["metadata"].value("namespace", "") + "/" + ref->value("name", "");
  auto job = jobs_->get(key);
  if (!job || uid_of(*job) != ref->value("uid", "")) return std::nullopt;
  return key;
}

void JobController::on_pod_add(const client::ObjectPtr& pod) {
  if (!pod) return;
  if (is_terminating(*pod)) {
    on_pod_delete(pod);
    return;
  }
  auto key = owner_job_key(*pod);
  if (!key) {
    if (has_tracking_finalizer(*pod)) queue().add(kOrphanPodPrefix + client::object_key(*pod));
    return;
  }
  expectations_.creation_observed(*key);
  queue().add(*key);
}

void JobController::on_pod_update(const client::ObjectPtr& old_pod, const client::ObjectPtr& pod) {
  if (!pod) return;
  auto key = owner_job_key(*pod);
  std::optional<std::string> old_key = old_pod ? owner_job_key(*old_pod) : std::nullopt;
  if (old_key && old_key != key) queue().add(*old_key);
  if (!key) {
    if (has_tracking_finalizer(*pod)) queue().add(kOrphanPodPrefix + client::object_key(*pod));
    return;
  }
  if (!has_tracking_finalizer(*pod)) expectations_.finalizer_removal_observed(*key, uid_of(*pod));
  if (is_terminating(*pod)) expectations_.deletion_observed(*key, client::object_key(*pod));
  queue().add(*key);
}

void JobController::on_pod_delete(const client::ObjectPtr& pod) {
  if (!pod) return;
  const json* ref = controller_ref(*pod);
  if (ref == nullptr || ref->value("kind", "") != "Job") return;
  std::string key = (*pod)["metadata"].value("namespace", "") + "/" + ref->value("name", "");
  expectations_.finalizer_removal_observed(key, uid_of(*pod));
  expectations_.deletion_observed(key, client::object_key(*pod));
  if (owner_job_key(*pod)) queue().add(key);
}

void JobController::event(const json& job, const std::string& type, const std::string& reason,
                          const std::string& message) {
  json obj = job;
  obj["kind"] = "Job";
  obj["apiVersion"] = "batch/v1";
  recorder_.event(obj, type, reason, message);
}

std::vector<client::ObjectPtr> JobController::pods_of(const json& job) const {
  std::vector<client::ObjectPtr> out;
  const std::string uid = uid_of(job);
  for (auto& pod : pods_->by_index(client::kIndexOwnerUid, uid)) {
    const json* ref = controller_ref(*pod);
    if (ref != nullptr && ref->value("uid", "") == uid) out.push_back(pod);
  }
  return out;
}

bool JobController::remove_tracking_finalizer(const std::string& job_key, const json& pod, base::Status* err) {
  if (!has_tracking_finalizer(pod)) return true;
  const json& meta = pod["metadata"];
  json patch = {{"metadata", {{"$deleteFromPrimitiveList/finalizers", json::array({kTrackingFinalizer})}}}};
  if (!job_key.empty()) expectations_.expect_finalizer_removal(job_key, uid_of(pod));
  auto r = ctx_.client.patch(client::resources::kPods, meta.value("namespace", ""), meta.value("name", ""),
                             client::PatchType::kStrategicMerge, patch);
  if (r || r.error().reason() == base::Reason::NotFound) return true;
  if (!job_key.empty()) expectations_.finalizer_removal_observed(job_key, uid_of(pod));
  *err = r.error();
  return false;
}

base::Result<void> JobController::sync_orphan_pod(const std::string& pod_key) {
  auto pod = pods_->get(pod_key);
  if (!pod || !has_tracking_finalizer(*pod)) return {};
  if (const json* ref = controller_ref(*pod)) {
    if (ref->value("kind", "") != "Job" || ref->value("apiVersion", "") != "batch/v1") return {};
    if (auto key = owner_job_key(*pod)) {
      auto job = jobs_->get(*key);
      const json::json_pointer conds("/status/conditions");
      bool finished = false;
      if (job && job->contains(conds) && job->at(conds).is_array()) {
        for (const auto& c : job->at(conds))
          if ((c.value("type", "") == "Complete" || c.value("type", "") == "Failed") && c.value("status", "") == "True")
            finished = true;
      }
      if (!finished) return {};  // its Job counts it
    }
  }
  base::Status err;
  if (!remove_tracking_finalizer("", *pod, &err)) return std::unexpected(err);
  return {};
}

base::Result<void> JobController::sync(const std::string& key) {
  try {
    return sync_key(key);
  } catch (const std::exception& e) {  // malformed objects from the API (nlohmann type errors)
    return std::unexpected(base::Status(base::Reason::InternalError, "syncing job " + key + ": " + e.what()));
  }
}

base::Result<void> JobController::sync_key(const std::string& key) {
  if (key.starts_with(kOrphanPodPrefix)) return sync_orphan_pod(key.substr(std::string(kOrphanPodPrefix).size()));
  auto job = jobs_->get(key);
  if (!job) {
    expectations_.forget(key);
    backoff_.forget(key);
    return {};
  }
  return sync_job(key, *job);
}

base::Result<void> JobController::remove_finalizers_of_finished(const std::string& key, const json& job) {
  backoff_.forget(key);
  base::Status first_error;
  bool failed = false;
  for (const auto& pod : pods_of(job)) {
    if (!has_tracking_finalizer(*pod)) continue;
    base::Status err;
    if (!remove_tracking_finalizer(key, *pod, &err) && !failed) {
      failed = true;
      first_error = err;
    }
  }
  if (failed) return std::unexpected(first_error);
  return {};
}

}  // namespace kite::controllers::job
