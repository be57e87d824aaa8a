#include "server/controllers/daemonset/daemon_plan.h"

#include <algorithm>
#include <set>

#include "server/controllers/daemonset/daemon_pods.h"
#include "server/controllers/daemonset/node_eligibility.h"
#include "server/controllers/history/owner_refs.h"
#include "server/controllers/history/pod_readiness.h"

namespace kite::controllers::daemonset {

namespace {

using client::ObjectPtr;
using history::meta_string;

constexpr std::chrono::milliseconds kBackoffInitial{1000};
constexpr std::chrono::milliseconds kBackoffMax{15 * 60 * 1000};

std::string node_name(const json& node) { return meta_string(node, "name"); }

bool scheduled(const json& pod) {
  auto s = pod.find("spec");
  return s != pod.end() && s->is_object() && s->contains("nodeName") && (*s)["nodeName"].is_string() &&
         !(*s)["nodeName"].get<std::string>().empty();
}

// The one new and one old pod on a node; false when there are more (manage cleans up).
bool find_updated_pods_on_node(const std::vector<ObjectPtr>& pods, const std::string& hash, ObjectPtr* new_pod,
                               ObjectPtr* old_pod) {
  *new_pod = nullptr;
  *old_pod = nullptr;
  for (const auto& p : pods) {
    if (history::being_deleted(*p)) continue;
    ObjectPtr& slot = is_pod_updated(*p, hash) ? *new_pod : *old_pod;
    if (slot) return false;
    slot = p;
  }
  return true;
}

}  // namespace

bool FailedPodBackoff::in_backoff(const std::string& key, TimePoint now) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  return it != entries_.end() && now - it->second.last < it->second.delay;
}

std::chrono::milliseconds FailedPodBackoff::delay(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  return it == entries_.end() ? std::chrono::milliseconds(0) : it->second.delay;
}

void FailedPodBackoff::next(const std::string& key, TimePoint now) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || now - it->second.last > 2 * kBackoffMax) {
    entries_[key] = Entry{kBackoffInitial, now};
    return;
  }
  it->second.delay = std::min(it->second.delay * 2, kBackoffMax);
  it->second.last = now;
}

ManagePlan plan_manage(const json& ds, const std::vector<ObjectPtr>& nodes, const NodePods& node_pods,
                       const std::string& hash, FailedPodBackoff& backoff, TimePoint now) {
  ManagePlan plan;
  const int64_t min_ready = min_ready_seconds(ds);
  std::set<std::string> node_names;
  for (const auto& node_ptr : nodes) {
    const json& node = *node_ptr;
    const std::string name = node_name(node);
    node_names.insert(name);
    NodeVerdict verdict = node_should_run_daemon_pod(node, ds);
    auto it = node_pods.find(name);
    const bool exists = it != node_pods.end() && !it->second.empty();
    if (verdict.should_run && !exists) {
      plan.nodes_needing_pods.push_back(name);
    } else if (verdict.should_continue_running && exists) {
      std::vector<ObjectPtr> running;
      for (const auto& pod : it->second) {
        if (history::being_deleted(*pod)) continue;
        const std::string phase = history::pod_phase(*pod);
        if (phase == "Failed") {
          std::string key = meta_string(ds, "uid") + "/" + name;
          if (backoff.in_backoff(key, now)) {
            auto d = backoff.delay(key);
            if (!plan.requeue_after || d < *plan.requeue_after) plan.requeue_after = d;
            continue;
          }
          backoff.next(key, now);
          plan.failed_pod_messages.push_back("Found failed daemon pod " + meta_string(*pod, "namespace") + "/" +
                                             meta_string(*pod, "name") + " on node " + name +
                                             ", will try to kill it");
          plan.pods_to_delete.push_back(meta_string(*pod, "name"));
        } else if (phase == "Succeeded") {
          plan.pods_to_delete.push_back(meta_string(*pod, "name"));
        } else {
          running.push_back(pod);
        }
      }
      if (running.size() <= 1) continue;
      sort_pods(running);
      if (!allows_surge(ds)) {
        for (size_t i = 1; i < running.size(); ++i) plan.pods_to_delete.push_back(meta_string(*running[i], "name"));
        continue;
      }
      ObjectPtr oldest_new, oldest_old;
      for (const auto& pod : running) {
        if (is_pod_updated(*pod, hash)) {
          if (!oldest_new) {
            oldest_new = pod;
            continue;
          }
        } else if (!oldest_old) {
          oldest_old = pod;
          continue;
        }
        plan.pods_to_delete.push_back(meta_string(*pod, "name"));
      }
      if (oldest_new && oldest_old) {
        if (!history::is_pod_ready(*oldest_old) || history::is_pod_available(*oldest_new, min_ready, now))
          plan.pods_to_delete.push_back(meta_string(*oldest_old, "name"));
      }
    } else if (!verdict.should_continue_running && exists) {
      for (const auto& pod : it->second) {
        if (!history::being_deleted(*pod)) plan.pods_to_delete.push_back(meta_string(*pod, "name"));
      }
    }
  }
  // Unscheduled pods aimed at nodes that are gone.
  for (const auto& [name, pods] : node_pods) {
    if (node_names.contains(name)) continue;
    for (const auto& pod : pods) {
      if (!scheduled(*pod) && !history::being_deleted(*pod)) plan.pods_to_delete.push_back(meta_string(*pod, "name"));
    }
  }
  return plan;
}

RollingPlan plan_rolling_update(const json& ds, const std::vector<ObjectPtr>& nodes, NodePods node_pods,
                                const std::string& hash, TimePoint now) {
  RollingPlan plan;
  const int64_t min_ready = min_ready_seconds(ds);
  std::map<std::string, ObjectPtr> nodes_by_name;
  int64_t desired = 0;
  for (const auto& node : nodes) {
    nodes_by_name[node_name(*node)] = node;
    if (!node_should_run_daemon_pod(*node, ds).should_run) continue;
    ++desired;
    node_pods.try_emplace(node_name(*node));
  }
  int64_t unavailable_limit = max_unavailable(ds, desired);
  int64_t surge_limit = max_surge(ds, desired);
  if (desired > 0 && unavailable_limit == 0 && surge_limit == 0) unavailable_limit = 1;
  auto available = [&](const ObjectPtr& p) { return history::is_pod_available(*p, min_ready, now); };

  if (surge_limit == 0) {
    int64_t num_unavailable = 0;
    std::vector<std::string> allowed, candidates;
    for (const auto& [name, pods] : node_pods) {
      ObjectPtr new_pod, old_pod;
      if (!find_updated_pods_on_node(pods, hash, &new_pod, &old_pod)) {
        ++num_unavailable;
        continue;
      }
      if ((!old_pod && !new_pod) || (old_pod && new_pod)) {
        ++num_unavailable;
      } else if (new_pod) {
        if (!available(new_pod)) ++num_unavailable;
      } else if (!available(old_pod)) {
        allowed.push_back(meta_string(*old_pod, "name"));
        ++num_unavailable;
      } else if (num_unavailable < unavailable_limit) {
        candidates.push_back(meta_string(*old_pod, "name"));
      }
    }
    int64_t remaining = std::clamp<int64_t>(unavailable_limit - num_unavailable, 0,
                                            static_cast<int64_t>(candidates.size()));
    plan.pods_to_delete = allowed;
    plan.pods_to_delete.insert(plan.pods_to_delete.end(), candidates.begin(), candidates.begin() + remaining);
    return plan;
  }

  std::vector<std::string> should_not_run_to_delete, candidate_new_nodes, allowed_new_nodes;
  int64_t num_surge = 0, num_available = 0;
  for (const auto& [name, pods] : node_pods) {
    ObjectPtr new_pod, old_pod;
    if (!find_updated_pods_on_node(pods, hash, &new_pod, &old_pod)) {
      ++num_surge;
      continue;
    }
    if (old_pod) {
      if (available(old_pod)) ++num_available;
    } else if (new_pod && available(new_pod)) {
      ++num_available;
    }
    if (!old_pod) continue;
    auto node_it = nodes_by_name.find(name);
    const bool should_run = node_it != nodes_by_name.end() && node_should_run_daemon_pod(*node_it->second, ds).should_run;
    if (!new_pod) {
      if (!available(old_pod)) {
        if (!should_run)
          plan.pods_to_delete.push_back(meta_string(*old_pod, "name"));
        else
          allowed_new_nodes.push_back(name);
      } else {
        if (!should_run) {
          should_not_run_to_delete.push_back(meta_string(*old_pod, "name"));
          continue;
        }
        if (num_surge >= surge_limit) continue;
        candidate_new_nodes.push_back(name);
      }
      continue;
    }
    if (!available(new_pod)) {
      ++num_surge;
      continue;
    }
    plan.pods_to_delete.push_back(meta_string(*old_pod, "name"));
  }
  int64_t deletable = num_available - desired;
  if (deletable > 0) {
    deletable = std::min<int64_t>(deletable, static_cast<int64_t>(should_not_run_to_delete.size()));
    plan.pods_to_delete.insert(plan.pods_to_delete.end(), should_not_run_to_delete.begin(),
                               should_not_run_to_delete.begin() + deletable);
  }
  int64_t remaining = std::clamp<int64_t>(surge_limit - num_surge, 0, static_cast<int64_t>(candidate_new_nodes.size()));
  plan.nodes_to_create = allowed_new_nodes;
  plan.nodes_to_create.insert(plan.nodes_to_create.end(), candidate_new_nodes.begin(),
                              candidate_new_nodes.begin() + remaining);
  return plan;
}

DaemonSetCounts count_status(const json& ds, const std::vector<ObjectPtr>& nodes, const NodePods& node_pods,
                             const std::string& hash, TimePoint now) {
  DaemonSetCounts c;
  const int64_t min_ready = min_ready_seconds(ds);
  for (const auto& node : nodes) {
    const bool should_run = node_should_run_daemon_pod(*node, ds).should_run;
    auto it = node_pods.find(node_name(*node));
    const bool has_pods = it != node_pods.end() && !it->second.empty();
    if (!should_run) {
      if (has_pods) ++c.misscheduled;
      continue;
    }
    ++c.desired;
    if (!has_pods) continue;
    ++c.current;
    std::vector<ObjectPtr> pods = it->second;
    sort_pods(pods);
    const json& pod = *pods.front();
    if (history::is_pod_ready(pod)) {
      ++c.ready;
      if (history::is_pod_available(pod, min_ready, now)) ++c.available;
    }
    if (is_pod_updated(pod, hash)) ++c.updated;
  }
  c.unavailable = c.desired - c.available;
  return c;
}

}  // namespace kite::controllers::daemonset
