#include "server/controllers/job/ttl_after_finished_controller.h"

#include "server/controllers/job/job_conditions.h"
#include "server/controllers/job/job_pods.h"

namespace kite::controllers {

std::unique_ptr<Controller> make_ttlafterfinished_controller(ControllerContext& ctx) {
  return std::make_unique<job::TtlAfterFinishedController>(ctx);
}

namespace job {

TtlAfterFinishedController::TtlAfterFinishedController(ControllerContext& ctx, int workers)
    : QueueController("ttl-after-finished-controller", workers), ctx_(ctx),
      jobs_(&ctx.informers.informer(client::resources::kJobs)) {}

TtlAfterFinishedController::~TtlAfterFinishedController() { stop(); }

void TtlAfterFinishedController::register_handlers() {
  client::EventHandlers h;
  auto maybe_enqueue = [this](const client::ObjectPtr& obj) {
    if (obj && time_left(*obj, ctx_.clock.now())) enqueue(obj);
  };
  h.on_add = maybe_enqueue;
  h.on_update = [maybe_enqueue](const client::ObjectPtr&, const client::ObjectPtr& obj) { maybe_enqueue(obj); };
  jobs_->add_handlers(std::move(h));
}

std::optional<std::chrono::nanoseconds> TtlAfterFinishedController::time_left(const nlohmann::json& job,
                                                                              base::Clock::time_point now) {
  const json::json_pointer ttl_ptr("/spec/ttlSecondsAfterFinished");
  if (!job.contains(ttl_ptr) || !job.at(ttl_ptr).is_number_integer()) return std::nullopt;
  if (job["metadata"].contains("deletionTimestamp") && !job["metadata"]["deletionTimestamp"].is_null()) return std::nullopt;
  const json status = job.value("status", json::object());
  const json* cond = find_true_condition(status, "Complete");
  if (cond == nullptr) cond = find_true_condition(status, "Failed");
  if (cond == nullptr) return std::nullopt;
  auto finished = read_time(*cond, json::json_pointer("/lastTransitionTime"));
  if (!finished) return std::nullopt;
  auto expire = *finished + std::chrono::seconds(job.at(ttl_ptr).get<int64_t>());
  return std::chrono::duration_cast<std::chrono::nanoseconds>(expire - now);
}

base::Result<void> TtlAfterFinishedController::sync(const std::string& key) {
  try {
    return sync_key(key);
  } catch (const std::exception& e) {  // malformed objects from the API (nlohmann type errors)
    return std::unexpected(base::Status(base::Reason::InternalError, "ttl of job " + key + ": " + e.what()));
  }
}

base::Result<void> TtlAfterFinishedController::sync_key(const std::string& key) {
  auto cached = jobs_->get(key);
  if (!cached) return {};
  auto left = time_left(*cached, ctx_.clock.now());
  if (!left) return {};
  if (*left > std::chrono::nanoseconds(0)) {
    queue().add_after(key, std::chrono::ceil<std::chrono::milliseconds>(*left));
    return {};
  }
  auto [ns, name] = client::split_key(key);
  auto fresh = ctx_.client.get(client::resources::kJobs, ns, name);
  if (!fresh) return fresh.error().reason() == base::Reason::NotFound ? base::Result<void>{} : std::unexpected(fresh.error());
  left = time_left(*fresh, ctx_.clock.now());
  if (!left) return {};
  if (*left > std::chrono::nanoseconds(0)) {
    queue().add_after(key, std::chrono::ceil<std::chrono::milliseconds>(*left));
    return {};
  }
  client::DeleteOptions opts;
  opts.propagation_policy = "Foreground";
  opts.precondition_uid = (*fresh)["metadata"].value("uid", "");
  auto r = ctx_.client.remove(client::resources::kJobs, ns, name, opts);
  if (!r && r.error().reason() != base::Reason::NotFound) return std::unexpected(r.error());
  return {};
}

}  // namespace job
}  // namespace kite::controllers
