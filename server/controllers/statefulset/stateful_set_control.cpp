#include "server/controllers/statefulset/stateful_set_control.h"

#include <algorithm>
#include <optional>

#include "server/controllers/history/controller_revisions.h"
#include "server/controllers/history/owner_refs.h"
#include "server/controllers/statefulset/stateful_pod.h"

namespace kite::controllers::statefulset {

namespace {

using history::meta_string;
using TimePoint = std::chrono::system_clock::time_point;

bool is_unavailable(const json& pod, int64_t min_ready, TimePoint now) {
  return !is_healthy(pod) || !is_running_and_available(pod, min_ready, now);
}

json compute_status(const json& set, const json& current_revision, const json& update_revision,
                    int64_t collision_count, const std::vector<json>& replicas, const std::vector<json>& condemned,
                    TimePoint now) {
  const std::string current = meta_string(current_revision, "name");
  const std::string update = meta_string(update_revision, "name");
  int64_t count = 0, ready = 0, available = 0, current_count = 0, updated = 0;
  auto account = [&](const json& pod) {
    if (is_created(pod)) ++count;
    if (is_running_and_ready(pod)) {
      ++ready;
      if (is_running_and_available(pod, min_ready_seconds(set), now)) ++available;
    }
    if (is_created(pod) && !is_terminating(pod)) {
      std::string rev = pod_revision(pod);
      if (rev == current) ++current_count;
      if (rev == update) ++updated;
    }
  };
  for (const auto& p : replicas) account(p);
  for (const auto& p : condemned) account(p);
  json status = json::object();
  if (set.contains("status") && set["status"].is_object() && set["status"].contains("conditions"))
    status["conditions"] = set["status"]["conditions"];
  status["observedGeneration"] = set["metadata"].value("generation", int64_t{0});
  status["replicas"] = count;
  status["readyReplicas"] = ready;
  status["availableReplicas"] = available;
  status["currentReplicas"] = current_count;
  status["updatedReplicas"] = updated;
  status["currentRevision"] = current;
  status["updateRevision"] = update;
  status["collisionCount"] = collision_count;
  return status;
}

}  // namespace

json apply_revision(const json& set, const json& revision) {
  json out = set;
  out["spec"]["template"] = history::template_of_revision(revision);
  return out;
}

json status_to_store(const json& set, json status) {
  const bool rolling = !is_on_delete(set);
  if (rolling && status["updatedReplicas"] == status["replicas"] && status["readyReplicas"] == status["replicas"]) {
    status["currentReplicas"] = status["updatedReplicas"];
    status["currentRevision"] = status["updateRevision"];
  }
  json old = set.contains("status") && set["status"].is_object() ? set["status"] : json::object();
  auto num = [&](const char* k) { return old.contains(k) && old[k].is_number_integer() ? old[k].get<int64_t>() : 0; };
  auto str = [&](const char* k) { return old.contains(k) && old[k].is_string() ? old[k].get<std::string>() : ""; };
  bool inconsistent = status["observedGeneration"].get<int64_t>() > num("observedGeneration");
  for (const char* k : {"replicas", "readyReplicas", "availableReplicas", "currentReplicas", "updatedReplicas",
                        "collisionCount"})
    inconsistent = inconsistent || status[k].get<int64_t>() != num(k);
  for (const char* k : {"currentRevision", "updateRevision"})
    inconsistent = inconsistent || status[k].get<std::string>() != str(k);
  return inconsistent ? status : json();
}

StatefulSetPass update_stateful_set(StatefulPodControl& control, const json& set, const json& current_revision,
                                    const json& update_revision, int64_t collision_count,
                                    const std::vector<client::ObjectPtr>& pods, TimePoint now) {
  const json current_set = apply_revision(set, current_revision);
  const json update_set = apply_revision(set, update_revision);
  const std::string current_name = meta_string(current_revision, "name");
  const std::string update_name = meta_string(update_revision, "name");
  const int64_t start = start_ordinal(set);
  const int64_t replica_count = std::max<int64_t>(0, replicas_of(set));
  const int64_t min_ready = min_ready_seconds(set);

  std::vector<std::optional<json>> slots(static_cast<size_t>(replica_count));
  std::vector<json> condemned;
  for (const auto& p : pods) {
    int64_t ord = ordinal_of(*p);
    if (in_ordinal_range(set, ord))
      slots[static_cast<size_t>(ord - start)] = *p;
    else if (ord >= 0)
      condemned.push_back(*p);
  }
  // Missing replicas: from the current revision below the partition (or the current replica
  // count without rolling-update parameters), from the update revision above it.
  int64_t status_current = 0;
  if (set.contains("status") && set["status"].is_object())
    status_current = set["status"].value("currentReplicas", int64_t{0});
  std::vector<json> replicas;
  replicas.reserve(slots.size());
  for (int64_t ord = start; ord < start + replica_count; ++ord) {
    auto& slot = slots[static_cast<size_t>(ord - start)];
    if (slot) {
      replicas.push_back(std::move(*slot));
      continue;
    }
    bool use_current = false;
    if (!is_on_delete(current_set)) {
      use_current = has_rolling_update_params(current_set) ? ord < start + partition_of(current_set)
                                                           : ord < start + status_current;
    }
    replicas.push_back(use_current ? new_stateful_pod(current_set, ord, current_name)
                                   : new_stateful_pod(update_set, ord, update_name));
  }
  std::sort(condemned.begin(), condemned.end(),
            [](const json& a, const json& b) { return ordinal_of(a) > ordinal_of(b); });

  const json* first_unhealthy = nullptr;
  for (const auto& p : replicas) {
    if (is_unavailable(p, min_ready, now) && first_unhealthy == nullptr) first_unhealthy = &p;
  }
  for (auto it = condemned.rbegin(); it != condemned.rend(); ++it) {
    if (is_unavailable(*it, min_ready, now) && first_unhealthy == nullptr) first_unhealthy = &*it;
  }

  auto finish = [&](base::Status err) {
    return StatefulSetPass{compute_status(set, current_revision, update_revision, collision_count, replicas,
                                          condemned, now),
                           std::move(err)};
  };
  if (history::being_deleted(set)) return finish({});

  const bool monotonic = !allows_burst(set);
  base::Status first_error;
  auto note = [&](const base::Result<void>& r) {
    if (!r && first_error.is_ok()) first_error = r.error();
    return r.has_value();
  };

  // Replicas, in ordinal order.
  for (auto& pod : replicas) {
    if (is_failed(pod) || is_succeeded(pod)) {
      if (!is_terminating(pod) && !note(control.delete_pod(set, pod)) && monotonic) return finish(first_error);
      if (monotonic) return finish(first_error);
      continue;
    }
    if (!is_created(pod)) {
      bool ok = note(control.create_pod(set, pod));
      if (monotonic || !ok) {
        if (monotonic) return finish(first_error);
      }
      continue;
    }
    if (is_pending(pod) && !note(control.create_missing_claims(set, pod)) && monotonic) return finish(first_error);
    if (is_terminating(pod) && monotonic) return finish(first_error);
    if (!is_running_and_ready(pod) && monotonic) return finish(first_error);
    if (!is_running_and_available(pod, min_ready, now) && monotonic) return finish(first_error);
    if (identity_matches(set, pod) && storage_matches(set, pod) && control.claims_match_retention_policy(set, pod))
      continue;
    if (!note(control.update_pod(update_set, pod)) && monotonic) return finish(first_error);
  }
  if (!first_error.is_ok()) return finish(first_error);

  // Claims of condemned pods follow the retention policy before the pods go.
  for (const auto& pod : condemned) {
    if (!control.claims_match_retention_policy(update_set, pod) &&
        !note(control.update_claims_for_retention_policy(update_set, pod)))
      return finish(first_error);
  }

  // Condemned pods, highest ordinal first.
  for (const auto& pod : condemned) {
    if (is_terminating(pod)) {
      if (monotonic) return finish(first_error);
      continue;
    }
    if (monotonic && &pod != first_unhealthy &&
        (!is_running_and_ready(pod) || !is_running_and_available(pod, min_ready, now)))
      return finish(first_error);
    note(control.delete_pod(set, pod));
    if (monotonic) return finish(first_error);
  }
  if (!first_error.is_ok()) return finish(first_error);

  StatefulSetPass pass = finish({});
  if (is_on_delete(set)) return pass;

  // Rolling update, from the highest ordinal down to the partition.
  const int64_t update_min = partition_of(set);
  for (int64_t target = static_cast<int64_t>(replicas.size()) - 1; target >= update_min; --target) {
    const json& pod = replicas[static_cast<size_t>(target)];
    if (pod_revision(pod) != update_name && !is_terminating(pod)) {
      auto r = control.delete_pod(set, pod);
      pass.status["currentReplicas"] = pass.status["currentReplicas"].get<int64_t>() - 1;
      if (!r) pass.error = r.error();
      return pass;
    }
    if (!is_healthy(pod)) return pass;
  }
  return pass;
}

}  // namespace kite::controllers::statefulset
