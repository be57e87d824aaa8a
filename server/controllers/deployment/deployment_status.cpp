// DeploymentController: the status a Deployment reports, its Progressing/Available
// conditions, and requeueing rollouts that may pass their progress deadline.
#include <algorithm>

#include "server/controllers/deployment/deployment_controller.h"
#include "server/controllers/deployment/deployment_util.h"
#include "server/controllers/podcontrol/object_fields.h"

namespace kite::controllers {

using namespace deployment;  // NOLINT: the helpers of this controller
using podcontrol::field;
using podcontrol::int_field;

namespace {

void set_count(json& status, const char* key, int64_t value) {
  if (value == 0) {
    status.erase(key);
  } else {
    status[key] = value;
  }
}

// ReplicaFailure conditions of the new ReplicaSet, else of any ReplicaSet, as deployment
// conditions.
std::optional<json> replica_failure(const std::vector<json>& all_rs, const std::optional<json>& new_rs) {
  auto first_failure = [](const json& rs) -> std::optional<json> {
    const json& conds = field(rs, {"status", "conditions"});
    if (!conds.is_array()) return std::nullopt;
    for (const auto& c : conds) {
      if (c.value("type", "") != "ReplicaFailure") continue;
      json out = {{"type", "ReplicaFailure"}, {"status", c.value("status", "")}, {"reason", c.value("reason", "")},
                  {"message", c.value("message", "")}};
      if (c.contains("lastTransitionTime")) {
        out["lastUpdateTime"] = c["lastTransitionTime"];
        out["lastTransitionTime"] = c["lastTransitionTime"];
      }
      return out;
    }
    return std::nullopt;
  };
  if (new_rs) {
    if (auto c = first_failure(*new_rs)) return c;
  }
  for (const auto& rs : all_rs) {
    if (auto c = first_failure(rs)) return c;
  }
  return std::nullopt;
}

}  // namespace

json DeploymentController::calculate_status(const std::vector<json>& all_rs, const std::optional<json>& new_rs,
                                            const json& d) const {
  const int64_t available = sum_status(all_rs, "availableReplicas");
  const int64_t unavailable = std::max<int64_t>(0, sum_spec_replicas(all_rs) - available);
  json status = json::object();
  set_count(status, "observedGeneration", podcontrol::generation_of(d));
  set_count(status, "replicas", sum_status(all_rs, "replicas"));
  set_count(status, "updatedReplicas", new_rs ? int_field(*new_rs, {"status", "replicas"}) : 0);
  set_count(status, "readyReplicas", sum_status(all_rs, "readyReplicas"));
  set_count(status, "availableReplicas", available);
  set_count(status, "unavailableReplicas", unavailable);
  const json& collision = field(d, {"status", "collisionCount"});
  if (!collision.is_null()) status["collisionCount"] = collision;
  const json& conditions = field(d, {"status", "conditions"});
  if (conditions.is_array() && !conditions.empty()) status["conditions"] = conditions;
  if (available >= replicas_of(d) - max_unavailable(d)) {
    set_condition(status, new_condition("Available", "True", kReasonMinimumAvailable,
                                        "Deployment has minimum availability.", ctx_.clock.now()));
  } else {
    set_condition(status, new_condition("Available", "False", kReasonMinimumUnavailable,
                                        "Deployment does not have minimum availability.", ctx_.clock.now()));
  }
  return status;
}

base::Result<void> DeploymentController::sync_deployment_status(json& d, const ReplicaSets& rss) {
  json status = calculate_status(rss.all(), rss.new_rs, d);
  if (podcontrol::status_equal(field(d, {"status"}), status)) return {};
  d["status"] = std::move(status);
  return write_deployment_status(d);
}

base::Result<void> DeploymentController::sync_rollout_status(json& d, const ReplicaSets& rss) {
  const auto now = ctx_.clock.now();
  json status = calculate_status(rss.all(), rss.new_rs, d);
  if (!has_progress_deadline(d)) remove_condition(status, "Progressing");

  const json* current = get_condition(field(d, {"status"}), "Progressing");
  const bool complete_before = int_field(status, {"replicas"}) == int_field(status, {"updatedReplicas"}) &&
                               current && current->value("reason", "") == kReasonNewRSAvailable;
  if (has_progress_deadline(d) && !complete_before) {
    const std::string subject = rss.new_rs ? "ReplicaSet \"" + podcontrol::name_of(*rss.new_rs) + "\""
                                           : "Deployment \"" + podcontrol::name_of(d) + "\"";
    if (deployment_complete(d, status)) {
      set_condition(status, new_condition("Progressing", "True", kReasonNewRSAvailable,
                                          subject + " has successfully progressed.", now));
    } else if (deployment_progressing(d, status)) {
      // Progress refreshes lastUpdateTime even with the same reason (restarting the deadline).
      json condition = new_condition("Progressing", "True", kReasonRSUpdated, subject + " is progressing.", now);
      if (current) {
        if (current->value("status", "") == "True" && current->contains("lastTransitionTime")) {
          condition["lastTransitionTime"] = (*current)["lastTransitionTime"];
        }
        remove_condition(status, "Progressing");
      }
      set_condition(status, std::move(condition));
    } else if (deployment_timed_out(d, status, now)) {
      set_condition(status, new_condition("Progressing", "False", kReasonTimedOut,
                                          subject + " has timed out progressing.", now));
    }
  }
  if (auto failure = replica_failure(rss.all(), rss.new_rs)) {
    set_condition(status, std::move(*failure));
  } else {
    remove_condition(status, "ReplicaFailure");
  }
  if (podcontrol::status_equal(field(d, {"status"}), status)) {
    requeue_stuck(d, status);
    return {};
  }
  d["status"] = std::move(status);
  return write_deployment_status(d);
}

// A rollout that made no progress is checked again when its deadline passes: at
// Progressing.lastUpdateTime + progressDeadlineSeconds (+1 s), or now (rate limited) when
// that is less than a second away.
void DeploymentController::requeue_stuck(const json& d, const json& new_status) {
  const json* current = get_condition(field(d, {"status"}), "Progressing");
  if (!has_progress_deadline(d) || !current) return;
  if (deployment_complete(d, new_status) || current->value("reason", "") == kReasonTimedOut) return;
  auto last = podcontrol::time_field(*current, {"lastUpdateTime"});
  if (!last) return;
  auto after = *last + std::chrono::seconds(int_field(d, {"spec", "progressDeadlineSeconds"})) - ctx_.clock.now();
  const std::string key = client::object_key(d);
  if (after < std::chrono::seconds(1)) {
    queue().add_rate_limited(key);
    return;
  }
  queue().add_after(key, std::chrono::duration_cast<std::chrono::milliseconds>(after) + std::chrono::seconds(1));
}

}  // namespace kite::controllers
