// JobController::sync_job: one level-triggered pass over a Job and its pods (upstream syncJob).
#include <algorithm>

#include "base/ids.h"
#include "server/controllers/job/job_conditions.h"
#include "server/controllers/job/job_controller_impl.h"
#include "server/controllers/job/job_pods.h"
#include "server/controllers/job/job_sync_context.h"
#include "server/controllers/job/pod_failure_policy.h"

namespace kite::controllers::job {

namespace {

std::set<std::string> string_set(const json& status, const char* field) {
  std::set<std::string> out;
  const json uncounted = status.value("uncountedTerminatedPods", json::object());
  if (uncounted.is_object() && uncounted.contains(field) && uncounted[field].is_array())
    for (const auto& u : uncounted[field])
      if (u.is_string()) out.insert(u.get<std::string>());
  return out;
}

int int_field(const json& obj, const char* field, int fallback) {
  return obj.contains(field) && obj[field].is_number_integer() ? obj[field].get<int>() : fallback;
}

BackoffRecord next_backoff_record(BackoffRecord r, const std::vector<client::ObjectPtr>& succeeded,
                                  const std::vector<client::ObjectPtr>& failed) {
  if (succeeded.empty()) {
    if (failed.empty()) return r;
    r.failures_after_last_success += static_cast<int>(failed.size());
    r.last_failure_time = finished_time(*failed.back());
    return r;
  }
  r.failures_after_last_success = 0;
  r.last_failure_time.reset();
  if (failed.empty()) return r;
  time_point last_success = finished_time(*succeeded.back());
  for (auto it = failed.rbegin(); it != failed.rend(); ++it) {
    time_point t = finished_time(**it);
    if (t <= last_success) break;
    if (!r.last_failure_time) r.last_failure_time = t;
    ++r.failures_after_last_success;
  }
  return r;
}

}  // namespace

void JobController::count_finished_pods(SyncContext& c) {
  for (const auto& p : c.pods) {
    const std::string uid = (*p)["metadata"].value("uid", "");
    if (!has_tracking_finalizer(*p) || c.expected_rm.count(uid)) continue;
    if (c.indexed) {
      int ix = completion_index(*p);
      if (ix < 0 || ix >= c.completions.value_or(0)) continue;
    }
    if (pod_phase(*p) == "Succeeded") {
      if (!c.uncounted_succeeded.count(uid)) c.new_succeeded.push_back(p);
    } else if (is_pod_failed(*p, c.job)) {
      if (!c.uncounted_failed.count(uid)) c.new_failed.push_back(p);
    }
  }
  auto by_finish = [](const client::ObjectPtr& a, const client::ObjectPtr& b) {
    return finished_time(*a) < finished_time(*b);
  };
  std::stable_sort(c.new_succeeded.begin(), c.new_succeeded.end(), by_finish);
  std::stable_sort(c.new_failed.begin(), c.new_failed.end(), by_finish);
}

base::Result<void> JobController::sync_job(const std::string& key, const json& cached) {
  SyncContext c;
  c.key = key;
  c.job = cached;
  c.now = ctx_.clock.now();
  if (!c.job.contains("status") || !c.job["status"].is_object()) c.job["status"] = json::object();
  if (job_finished(c.job["status"])) return remove_finalizers_of_finished(key, c.job);
  c.original_status = c.job["status"];
  normalize_status(c.original_status);
  const json spec = c.job.value("spec", json::object());
  c.indexed = spec.value("completionMode", "NonIndexed") == "Indexed";
  if (spec.contains("completions") && spec["completions"].is_number_integer()) c.completions = spec["completions"].get<int>();
  c.parallelism = int_field(spec, "parallelism", 1);
  const int backoff_limit = int_field(spec, "backoffLimit", 6);
  const bool suspended = spec.value("suspend", false);
  const bool satisfied = expectations_.satisfied(key, c.now);
  const bool being_deleted = c.job["metadata"].contains("deletionTimestamp") && !c.job["metadata"]["deletionTimestamp"].is_null();

  c.pods = pods_of(c.job);
  c.expected_rm = expectations_.pending_finalizer_removals(key);
  for (const auto& p : c.pods)
    if (is_active(*p)) c.active_pods.push_back(p);
  json& status = c.job["status"];
  c.uncounted_succeeded = string_set(status, "succeeded");
  c.uncounted_failed = string_set(status, "failed");
  if (const json* cond = find_true_condition(status, "SuccessCriteriaMet"))
    c.finished = Condition{"SuccessCriteriaMet", cond->value("reason", ""), cond->value("message", "")};

  count_finished_pods(c);
  const json policy = spec.value("podFailurePolicy", json());
  int non_ignored = 0;
  for (const auto& p : c.new_failed)
    if (match_pod_failure_policy(policy, *p).count_failed) ++non_ignored;
  c.succeeded = int_field(status, "succeeded", 0) + static_cast<int>(c.new_succeeded.size() + c.uncounted_succeeded.size());
  c.failed = int_field(status, "failed", 0) + non_ignored + static_cast<int>(c.uncounted_failed.size());
  int ready = 0;
  for (const auto& p : c.active_pods)
    if (is_ready(*p)) ++ready;
  for (const auto& p : c.pods) {
    std::string phase = pod_phase(*p);
    if (is_terminating(*p) && phase != "Succeeded" && phase != "Failed") ++c.terminating;
  }
  if ((!status.contains("startTime") || status["startTime"].is_null()) && !suspended) status["startTime"] = base::rfc3339(c.now);
  c.backoff = next_backoff_record(backoff_.get(key), c.new_succeeded, c.new_failed);

  if (!c.finished) {
    if (const json* target = find_true_condition(status, "FailureTarget")) {
      c.finished = Condition{"Failed", target->value("reason", ""), target->value("message", "")};
    } else if (policy.is_object()) {
      for (const auto& p : c.pods) {
        if (!is_pod_failed(*p, c.job)) continue;
        auto m = match_pod_failure_policy(policy, *p);
        if (m.fail_job_message) {
          c.finished = Condition{"FailureTarget", "PodFailurePolicy", *m.fail_job_message};
          break;
        }
      }
    }
  }
  if (!c.finished) {
    bool past_restarts = false;
    if (spec.value("template", json::object()).value("spec", json::object()).value("restartPolicy", "") == "OnFailure") {
      int64_t restarts = 0;
      for (const auto& p : c.pods) restarts += restart_count(*p);
      past_restarts = backoff_limit == 0 ? restarts > 0 : restarts >= backoff_limit;
    }
    auto start = read_time(status, json::json_pointer("/startTime"));
    const bool has_deadline = spec.contains("activeDeadlineSeconds") && spec["activeDeadlineSeconds"].is_number_integer();
    auto deadline = has_deadline ? std::chrono::seconds(spec["activeDeadlineSeconds"].get<int64_t>()) : std::chrono::seconds(0);
    if (c.failed > backoff_limit || past_restarts) {
      c.finished = Condition{"FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit"};
    } else if (has_deadline && start && !suspended && c.now - *start >= deadline) {
      c.finished = Condition{"FailureTarget", "DeadlineExceeded", "Job was active longer than specified deadline"};
    } else if (has_deadline && start && !suspended) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - (c.now - *start));
      queue().add_after(key, left);
    }
  }

  if (c.indexed) {
    c.prev_indexes = CompletedIndexes::parse(status.value("completedIndexes", ""), c.completions.value_or(0));
    c.succeeded_indexes = c.prev_indexes;
    for (const auto& p : c.pods) {
      int ix = completion_index(*p);
      if (pod_phase(*p) == "Succeeded" && ix >= 0 && ix < c.completions.value_or(0) && has_tracking_finalizer(*p))
        c.succeeded_indexes.insert(ix);
    }
    c.succeeded = c.succeeded_indexes.total();
  }

  int active = static_cast<int>(c.active_pods.size());
  base::Status manage_error;
  if (c.finished) {
    int deleted_ready = 0;
    int deleted = delete_active_pods(c, &deleted_ready, &manage_error);
    if (deleted != active || !satisfied) c.finished.reset();
    active -= deleted;
    c.terminating += deleted;
    ready -= deleted_ready;
  } else {
    bool manage_called = false;
    if (satisfied && !being_deleted) {
      active = manage_job(c, &manage_error);
      manage_called = true;
    }
    bool complete = c.completions ? (c.succeeded >= *c.completions && active == 0) : (c.succeeded > 0 && active == 0);
    if (complete) {
      c.finished = Condition{"SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods"};
    } else if (manage_called) {
      const std::string now_text = base::rfc3339(c.now);
      if (suspended) {
        if (ensure_condition(status, "Suspended", "True", "JobSuspended", "Job suspended", now_text))
          event(c.job, "Normal", "Suspended", "Job suspended");
      } else if (ensure_condition(status, "Suspended", "False", "JobResumed", "Job resumed", now_text)) {
        event(c.job, "Normal", "Resumed", "Job resumed");
        status["startTime"] = now_text;
      }
    }
  }
  status["active"] = active;
  status["ready"] = ready;
  status["terminating"] = c.terminating;
  normalize_status(status);

  auto tracked = track_status_and_remove_finalizers(c, status != c.original_status);
  if (!tracked) return tracked;
  backoff_.set(key, c.backoff);
  if (!manage_error.is_ok()) return std::unexpected(manage_error);
  return {};
}

}  // namespace kite::controllers::job
