// JobController: counting terminated pods with the job-tracking finalizer and finishing the
// Job (upstream trackJobStatusAndRemoveFinalizers, flushUncountedAndRemoveFinalizers,
// enactJobFinished).
//
// The order matters for exactly-once counting: a terminated pod's uid is first written to
// status.uncountedTerminatedPods, then its finalizer is removed, then (once the finalizer is
// gone) the uid moves into status.succeeded/failed.
#include <algorithm>

#include "base/ids.h"
#include "server/controllers/job/job_conditions.h"
#include "server/controllers/job/job_controller_impl.h"
#include "server/controllers/job/job_pods.h"
#include "server/controllers/job/job_sync_context.h"
#include "server/controllers/job/pod_failure_policy.h"

namespace kite::controllers::job {

namespace {

constexpr size_t kMaxUncountedPods = 500;

std::vector<std::string> uid_list(const json& status, const char* field) {
  std::vector<std::string> out;
  const json u = status.value("uncountedTerminatedPods", json::object());
  if (u.is_object() && u.contains(field) && u[field].is_array())
    for (const auto& v : u[field])
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Moves uncounted uids whose pod no longer has the finalizer into the counters.
bool clean_uncounted(json& status, const std::set<std::string>& uids_with_finalizer) {
  bool changed = false;
  for (const char* field : {"succeeded", "failed"}) {
    auto uids = uid_list(status, field);
    std::vector<std::string> still;
    for (const auto& u : uids)
      if (uids_with_finalizer.count(u)) still.push_back(u);
    if (still.size() == uids.size()) continue;
    changed = true;
    int64_t counted = status.value(field, int64_t{0}) + static_cast<int64_t>(uids.size() - still.size());
    status[field] = counted;
    status["uncountedTerminatedPods"][field] = still;
  }
  normalize_status(status);
  return changed;
}

std::string uid_of(const json& pod) { return pod["metadata"].value("uid", ""); }

}  // namespace

base::Result<void> JobController::write_status(SyncContext& c) {
  normalize_status(c.job["status"]);
  c.job["kind"] = "Job";
  c.job["apiVersion"] = "batch/v1";
  auto r = ctx_.client.update(client::resources::kJobs, c.job, "status");
  if (!r) return std::unexpected(r.error());
  json status = c.job["status"];
  c.job = *r;
  c.job["status"] = status;  // what we wrote (the server may only add defaults)
  if (r->contains("metadata")) c.job["metadata"] = (*r)["metadata"];
  c.original_status = status;
  return {};
}

base::Result<void> JobController::track_status_and_remove_finalizers(SyncContext& c, bool needs_flush) {
  json& status = c.job["status"];
  const json policy = c.job.value("spec", json::object()).value("podFailurePolicy", json());
  const int completions = c.completions.value_or(0);
  std::vector<client::ObjectPtr> pods = c.pods;
  if (c.indexed)
    std::stable_sort(pods.begin(), pods.end(),
                     [](const client::ObjectPtr& a, const client::ObjectPtr& b) { return completion_index(*a) < completion_index(*b); });

  std::set<std::string> uids_with_finalizer;
  for (const auto& p : pods)
    if (has_tracking_finalizer(*p) && !c.expected_rm.count(uid_of(*p))) uids_with_finalizer.insert(uid_of(*p));
  if (clean_uncounted(status, uids_with_finalizer)) needs_flush = true;

  const bool job_deleting = c.job["metadata"].contains("deletionTimestamp") && !c.job["metadata"]["deletionTimestamp"].is_null();
  std::vector<std::string> uncounted_succeeded = uid_list(status, "succeeded");
  std::vector<std::string> uncounted_failed = uid_list(status, "failed");
  std::vector<client::ObjectPtr> to_remove;
  std::vector<int> new_indexes;
  bool reached_max = false;
  for (const auto& p : pods) {
    const std::string uid = uid_of(*p);
    if (!has_tracking_finalizer(*p) || c.expected_rm.count(uid)) continue;
    const bool failed = is_pod_failed(*p, c.job);
    const bool succeeded = pod_phase(*p) == "Succeeded";
    if (!(is_terminating(*p) || failed || succeeded || job_deleting || c.finished)) continue;
    to_remove.push_back(p);
    const int ix = completion_index(*p);
    if (succeeded && !contains(uncounted_failed, uid)) {
      if (c.indexed) {
        if (ix >= 0 && ix < completions && !c.prev_indexes.contains(ix)) {
          new_indexes.push_back(ix);
          needs_flush = true;
        }
      } else if (!contains(uncounted_succeeded, uid)) {
        uncounted_succeeded.push_back(uid);
        needs_flush = true;
      }
    } else if (failed || (c.finished && c.finished->type != "SuccessCriteriaMet")) {
      if (!contains(uncounted_failed, uid) && (!c.indexed || (ix >= 0 && ix < completions))) {
        if (match_pod_failure_policy(policy, *p).count_failed) {
          uncounted_failed.push_back(uid);
          needs_flush = true;
        }
      }
    }
    if (new_indexes.size() + uncounted_succeeded.size() + uncounted_failed.size() >= kMaxUncountedPods) {
      reached_max = true;
      break;
    }
  }
  status["uncountedTerminatedPods"]["succeeded"] = uncounted_succeeded;
  status["uncountedTerminatedPods"]["failed"] = uncounted_failed;
  if (c.indexed) {
    for (int ix : new_indexes) c.succeeded_indexes.insert(ix);
    status["completedIndexes"] = c.succeeded_indexes.to_string();
    status["succeeded"] = c.succeeded_indexes.total();
  }
  const std::string now_text = base::rfc3339(c.now);
  if (c.finished && c.finished->type == "FailureTarget") {
    append_condition(status, "FailureTarget", c.finished->reason, c.finished->message, now_text);
    c.finished = Condition{"Failed", c.finished->reason, c.finished->message};
  } else if (c.finished && c.finished->type == "SuccessCriteriaMet") {
    if (!find_true_condition(status, "SuccessCriteriaMet"))
      append_condition(status, "SuccessCriteriaMet", c.finished->reason, c.finished->message, now_text);
    c.finished = Condition{"Complete", c.finished->reason, c.finished->message};
  }
  normalize_status(status);

  // Step 1: record the uncounted uids before any finalizer goes.
  if (needs_flush || status != c.original_status) {
    if (auto r = write_status(c); !r) return r;
  }
  // Step 2: remove the finalizers.
  base::Status remove_error;
  for (const auto& p : to_remove) {
    base::Status e;
    if (remove_tracking_finalizer(c.key, *p, &e)) {
      uids_with_finalizer.erase(uid_of(*p));
    } else {
      remove_error = e;
    }
  }
  // Step 3: count the pods whose finalizer is gone.
  json& st = c.job["status"];
  clean_uncounted(st, uids_with_finalizer);
  if (!remove_error.is_ok()) {
    if (st != c.original_status) (void)write_status(c);
    return std::unexpected(remove_error);
  }
  bool finished_now = false;
  if (!reached_max && c.finished) {
    const bool uncounted = !uid_list(st, "succeeded").empty() || !uid_list(st, "failed").empty();
    if (!uncounted && c.terminating == 0) {
      ensure_condition(st, c.finished->type, "True", c.finished->reason, c.finished->message, now_text);
      if (c.finished->type == "Complete") st["completionTime"] = now_text;
      finished_now = true;
    }
  }
  if (st != c.original_status) {
    if (auto r = write_status(c); !r) return r;
  }
  if (finished_now) {
    if (c.finished->type == "Complete") {
      event(c.job, "Normal", "Completed", "Job completed");
    } else {
      event(c.job, "Warning", c.finished->reason, c.finished->message);
    }
  }
  return {};
}

}  // namespace kite::controllers::job
