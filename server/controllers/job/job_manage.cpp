// JobController: creating and deleting a Job's pods (upstream manageJob, deleteJobPods,
// deleteActivePods).
#include <algorithm>

#include "server/controllers/job/job_controller_impl.h"
#include "server/controllers/job/job_pods.h"
#include "server/controllers/job/job_sync_context.h"

namespace kite::controllers::job {

namespace {

constexpr int kMaxPodCreateDeletePerSync = 500;

// controller.ActivePods order: the first pods are the ones to delete first.
int phase_rank(const json& pod) {
  std::string phase = pod_phase(pod);
  if (phase == "Pending") return 0;
  if (phase == "Unknown") return 1;
  if (phase == "Running") return 2;
  return 3;
}

bool delete_before(const client::ObjectPtr& a, const client::ObjectPtr& b) {
  bool a_assigned = !(*a)["spec"].value("nodeName", "").empty();
  bool b_assigned = !(*b)["spec"].value("nodeName", "").empty();
  if (a_assigned != b_assigned) return !a_assigned;
  if (phase_rank(*a) != phase_rank(*b)) return phase_rank(*a) < phase_rank(*b);
  if (is_ready(*a) != is_ready(*b)) return !is_ready(*a);
  if (restart_count(*a) != restart_count(*b)) return restart_count(*a) > restart_count(*b);
  auto ca = read_time(*a, json::json_pointer("/metadata/creationTimestamp")).value_or(time_point{});
  auto cb = read_time(*b, json::json_pointer("/metadata/creationTimestamp")).value_or(time_point{});
  return ca > cb;  // newer first
}

std::string name_of(const json& obj) { return obj["metadata"].value("name", ""); }

}  // namespace

// The active pods to delete: for Indexed Jobs first those with a bad, finished or duplicated
// index, then the `at_least` first in deletion order.
static std::vector<client::ObjectPtr> pods_for_removal(const std::vector<client::ObjectPtr>& active, int at_least,
                                                       bool indexed, int completions, const CompletedIndexes& done) {
  std::vector<client::ObjectPtr> sorted = active;
  std::stable_sort(sorted.begin(), sorted.end(), delete_before);
  std::vector<client::ObjectPtr> remove, keep;
  if (indexed) {
    // Keep the pod of each index that would be deleted last.
    std::set<int> seen;
    for (auto it = sorted.rbegin(); it != sorted.rend(); ++it) {
      int ix = completion_index(**it);
      if (ix < 0 || ix >= completions || done.contains(ix) || seen.count(ix)) {
        remove.push_back(*it);
      } else {
        seen.insert(ix);
        keep.insert(keep.begin(), *it);
      }
    }
  } else {
    keep = sorted;
  }
  for (size_t i = 0; static_cast<int>(remove.size()) < at_least && i < keep.size(); ++i) remove.push_back(keep[i]);
  if (remove.size() > static_cast<size_t>(kMaxPodCreateDeletePerSync)) remove.resize(kMaxPodCreateDeletePerSync);
  return remove;
}

int JobController::manage_job(SyncContext& c, base::Status* err) {
  const json spec = c.job.value("spec", json::object());
  int active = static_cast<int>(c.active_pods.size());
  if (spec.value("suspend", false)) {
    auto to_delete = pods_for_removal(c.active_pods, active, false, 0, c.succeeded_indexes);
    return active - delete_job_pods(c, to_delete, err);
  }
  int want = 0;
  if (!c.completions) {
    want = c.succeeded > 0 ? active : c.parallelism;
  } else {
    want = std::clamp(*c.completions - c.succeeded, 0, std::max(c.parallelism, 0));
  }
  int rm_at_least = std::max(active - want, 0);
  auto to_delete = pods_for_removal(c.active_pods, rm_at_least, c.indexed, c.completions.value_or(0), c.succeeded_indexes);
  if (!to_delete.empty()) return active - delete_job_pods(c, to_delete, err);

  int terminating = only_replace_failed_pods(c.job) ? c.terminating : 0;
  int diff = want - terminating - active;
  if (diff <= 0) return active;
  auto remaining = c.backoff.remaining(c.now);
  if (remaining > std::chrono::nanoseconds(0)) {
    queue().add_after(c.key, std::chrono::ceil<std::chrono::milliseconds>(remaining));
    return active;
  }
  diff = std::min(diff, kMaxPodCreateDeletePerSync);
  return active + create_pods(c, diff, err);
}

int JobController::create_pods(SyncContext& c, int count, base::Status* err) {
  std::vector<std::optional<int>> indexes;
  if (c.indexed) {
    std::set<int> held;
    for (const auto& p : c.active_pods) held.insert(completion_index(*p));
    for (int i = 0; i < c.completions.value_or(0) && static_cast<int>(indexes.size()) < count; ++i)
      if (!c.succeeded_indexes.contains(i) && !held.count(i)) indexes.push_back(i);
  } else {
    indexes.assign(count, std::nullopt);
  }
  if (indexes.empty()) return 0;
  expectations_.expect_creations(c.key, static_cast<int>(indexes.size()), c.now);
  const std::string ns = c.job["metadata"].value("namespace", "");
  int created = 0;
  for (size_t i = 0; i < indexes.size(); ++i) {
    auto r = ctx_.client.create(client::resources::kPods, ns, pod_from_template(c.job, indexes[i]));
    if (!r) {
      // Nothing more is created this pass; the informer will not see the rest.
      for (size_t j = i; j < indexes.size(); ++j) expectations_.creation_observed(c.key);
      event(c.job, "Warning", "FailedCreate", "Error creating: " + r.error().message());
      *err = r.error();
      break;
    }
    ++created;
    event(c.job, "Normal", "SuccessfulCreate", "Created pod: " + name_of(*r));
  }
  return created;
}

int JobController::delete_job_pods(SyncContext& c, const std::vector<client::ObjectPtr>& pods, base::Status* err) {
  int removed = 0;
  for (const auto& pod : pods) {
    const std::string pod_key = client::object_key(*pod);
    expectations_.expect_deletion(c.key, pod_key, c.now);
    base::Status e;
    bool ok = remove_tracking_finalizer(c.key, *pod, &e);
    if (ok) {
      auto r = ctx_.client.remove(client::resources::kPods, (*pod)["metadata"].value("namespace", ""), name_of(*pod));
      if (!r && r.error().reason() != base::Reason::NotFound) {
        ok = false;
        e = r.error();
      } else if (r) {
        event(c.job, "Normal", "SuccessfulDelete", "Deleted pod: " + name_of(*pod));
      } else {
        expectations_.deletion_observed(c.key, pod_key);  // already gone: no event will come
      }
    }
    if (!ok) {
      expectations_.deletion_observed(c.key, pod_key);
      event(c.job, "Warning", "FailedDelete", "Error deleting: " + e.message());
      *err = e;
      continue;
    }
    ++removed;
  }
  return removed;
}

int JobController::delete_active_pods(SyncContext& c, int* deleted_ready, base::Status* err) {
  int deleted = 0;
  for (const auto& pod : c.active_pods) {
    auto r = ctx_.client.remove(client::resources::kPods, (*pod)["metadata"].value("namespace", ""), name_of(*pod));
    if (!r && r.error().reason() != base::Reason::NotFound) {
      event(c.job, "Warning", "FailedDelete", "Error deleting: " + r.error().message());
      *err = r.error();
      continue;
    }
    if (r) event(c.job, "Normal", "SuccessfulDelete", "Deleted pod: " + name_of(*pod));
    ++deleted;
    if (is_ready(*pod)) ++*deleted_ready;
  }
  return deleted;
}

}  // namespace kite::controllers::job
