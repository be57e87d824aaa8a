// DeploymentController::sync and the steps shared by every strategy: claiming ReplicaSets,
// pause conditions, scaling events, proportional scaling and history cleanup.
#include <algorithm>

#include "api/selector/label_selector.h"
#include "server/controllers/deployment/deployment_controller.h"
#include "server/controllers/deployment/deployment_util.h"
#include "server/controllers/podcontrol/object_fields.h"
#include "server/controllers/podcontrol/owner_refs.h"
#include "server/controllers/podcontrol/pod_control.h"

namespace kite::controllers {

using namespace deployment;  // NOLINT: the helpers of this controller
using podcontrol::field;
using podcontrol::int_field;

namespace {
const podcontrol::OwnerKind kDeploymentKind{"apps/v1", "Deployment"};
}

base::Result<void> DeploymentController::sync(const std::string& key) {
  auto cached = d_informer_.get(key);
  if (!cached) return {};
  json d = podcontrol::with_kind(*cached, kDeploymentKind);

  const json& selector_json = field(d, {"spec", "selector"});
  if (selector_json.is_object() && podcontrol::semantic_normal_form(selector_json).empty()) {
    recorder_.event(d, "Warning", "SelectingAll",
                    "This deployment is selecting all pods. A non-empty selector is required.");
    if (int_field(d, {"status", "observedGeneration"}) < podcontrol::generation_of(d)) {
      d["status"]["observedGeneration"] = podcontrol::generation_of(d);
      return write_deployment_status(d);
    }
    return {};
  }

  auto rs_list = claim_replicasets(d);
  if (!rs_list) return base::error(rs_list.error());
  PodMap pods = pod_map(d, *rs_list);

  if (podcontrol::has_deletion_timestamp(d)) {
    auto rss = replicasets_and_sync_revision(d, *rs_list, false);
    if (!rss) return base::error(rss.error());
    return sync_deployment_status(d, *rss);
  }
  if (auto r = check_paused_conditions(d); !r) return r;
  if (field(d, {"spec", "paused"}) == true) return sync_scale(d, *rs_list);

  auto scaling = is_scaling_event(d, *rs_list);
  if (!scaling) return base::error(scaling.error());
  if (*scaling) return sync_scale(d, *rs_list);

  const std::string strategy = podcontrol::string_field(d, {"spec", "strategy", "type"}, "RollingUpdate");
  if (strategy == "Recreate") return rollout_recreate(d, *rs_list, pods);
  if (strategy == "RollingUpdate") return rollout_rolling(d, *rs_list);
  return base::error(base::Reason::Invalid, "unexpected deployment strategy type: " + strategy);
}

base::Result<std::vector<json>> DeploymentController::claim_replicasets(const json& d) {
  auto selector = api::LabelSelector::from_json(field(d, {"spec", "selector"}));
  if (!selector) {
    return base::error(base::Reason::Invalid,
                       "deployment " + client::object_key(d) + " has invalid label selector: " + selector.error().message());
  }
  podcontrol::ClaimSpec spec{.client = &ctx_.client,
                             .resource = client::resources::kReplicaSets,
                             .owner = &d,
                             .owner_kind = kDeploymentKind,
                             .selector = &*selector,
                             .can_adopt = podcontrol::fresh_owner_check(ctx_.client, client::resources::kDeployments, d)};
  auto claimed = podcontrol::claim(spec, rs_informer_.by_index(client::kIndexNamespace, podcontrol::namespace_of(d)));
  if (!claimed) return base::error(claimed.error());
  std::vector<json> out;
  out.reserve(claimed->size());
  for (const auto& rs : *claimed) out.push_back(*rs);
  return out;
}

DeploymentController::PodMap DeploymentController::pod_map(const json& d, const std::vector<json>& rs_list) const {
  PodMap map;
  for (const auto& rs : rs_list) map.emplace_back(podcontrol::uid_of(rs), std::vector<client::ObjectPtr>{});
  auto selector = api::LabelSelector::from_json(field(d, {"spec", "selector"}));
  if (!selector) return map;
  for (const auto& pod : pod_informer_.by_index(client::kIndexNamespace, podcontrol::namespace_of(d))) {
    if (!selector->matches(podcontrol::labels_of(*pod))) continue;
    const json* ref = podcontrol::controller_of(*pod);
    if (!ref) continue;
    for (auto& [uid, pods] : map) {
      if (uid == ref->value("uid", "")) pods.push_back(pod);
    }
  }
  return map;
}

// Keeps a paused deployment from timing out: Progressing becomes Unknown (DeploymentPaused)
// while paused and Unknown (DeploymentResumed) on resume, restarting the deadline clock.
base::Result<void> DeploymentController::check_paused_conditions(json& d) {
  if (!has_progress_deadline(d)) return {};
  const json* cond = get_condition(field(d, {"status"}), "Progressing");
  if (cond && cond->value("reason", "") == kReasonTimedOut) return {};
  const bool paused_cond = cond && cond->value("reason", "") == kReasonPaused;
  const bool paused = field(d, {"spec", "paused"}) == true;
  json condition;
  if (paused && !paused_cond) {
    condition = new_condition("Progressing", "Unknown", kReasonPaused, "Deployment is paused", ctx_.clock.now());
  } else if (!paused && paused_cond) {
    condition = new_condition("Progressing", "Unknown", kReasonResumed, "Deployment is resumed", ctx_.clock.now());
  } else {
    return {};
  }
  if (!d.contains("status") || !d["status"].is_object()) d["status"] = json::object();
  set_condition(d["status"], std::move(condition));
  return write_deployment_status(d);
}

base::Result<bool> DeploymentController::is_scaling_event(json& d, std::vector<json>& rs_list) {
  auto rss = replicasets_and_sync_revision(d, rs_list, false);
  if (!rss) return base::error(rss.error());
  for (const auto& rs : active_replicasets(rss->all())) {
    auto desired = int_annotation(rs, kDesiredReplicasAnnotation);
    if (desired && *desired != replicas_of(d)) return true;
  }
  return false;
}

base::Result<void> DeploymentController::sync_scale(json& d, std::vector<json>& rs_list) {
  auto rss = replicasets_and_sync_revision(d, rs_list, false);
  if (!rss) return base::error(rss.error());
  if (auto r = scale(d, *rss); !r) return r;
  if (field(d, {"spec", "paused"}) == true) {
    if (auto r = cleanup(d, rss->old_rs); !r) return r;
  }
  return sync_deployment_status(d, *rss);
}

namespace {

// FindActiveOrLatest: the only active ReplicaSet, or the newest when none is active.
std::optional<json> active_or_latest(const std::optional<json>& new_rs, std::vector<json> old_rs) {
  if (!new_rs && old_rs.empty()) return std::nullopt;
  sort_by_creation(old_rs);
  std::reverse(old_rs.begin(), old_rs.end());
  std::vector<json> all = old_rs;
  if (new_rs) all.push_back(*new_rs);
  auto active = active_replicasets(all);
  if (active.empty()) return new_rs ? *new_rs : old_rs.front();
  if (active.size() == 1) return active.front();
  return std::nullopt;
}

}  // namespace

base::Result<void> DeploymentController::scale(const json& d, ReplicaSets& rss) {
  const int64_t want = replicas_of(d);
  if (auto only = active_or_latest(rss.new_rs, rss.old_rs)) {
    if (replicas_of(*only) == want) return {};
    auto r = scale_replicaset(*only, want, d);
    if (!r) return base::error(r.error());
    return {};
  }
  if (is_saturated(d, rss.new_rs)) {
    for (const auto& old : active_replicasets(rss.old_rs)) {
      if (auto r = scale_replicaset(old, 0, d); !r) return base::error(r.error());
    }
    return {};
  }
  if (!is_rolling_update(d)) return {};
  // Old ReplicaSets with pods and a new one not saturated: spread the change in size over
  // all active ReplicaSets in proportion to their size.
  auto all = active_replicasets(rss.all());
  const int64_t allowed = want > 0 ? want + max_surge(d) : 0;
  const int64_t to_add = allowed - sum_spec_replicas(all);
  std::string operation;
  if (to_add > 0) {
    sort_by_size_newer(all);
    operation = "up";
  } else if (to_add < 0) {
    sort_by_size_older(all);
    operation = "down";
  }
  int64_t added = 0;
  std::vector<int64_t> sizes;
  for (const auto& rs : all) {
    int64_t p = to_add != 0 ? proportion(rs, d, to_add, added) : 0;
    sizes.push_back(replicas_of(rs) + p);
    added += p;
  }
  for (size_t i = 0; i < all.size(); ++i) {
    if (i == 0 && to_add != 0) sizes[0] = std::max<int64_t>(0, sizes[0] + to_add - added);  // leftovers
    if (auto r = scale_replicaset(all[i], sizes[i], d, operation); !r) return base::error(r.error());
  }
  return {};
}

// Deletes the oldest ReplicaSets beyond spec.revisionHistoryLimit that are fully scaled down
// and observed; keeps anything still running or being deleted.
base::Result<void> DeploymentController::cleanup(const json& d, const std::vector<json>& old_rs) {
  if (!has_revision_history_limit(d)) return {};
  std::vector<json> cleanable;
  for (const auto& rs : old_rs)
    if (!podcontrol::has_deletion_timestamp(rs)) cleanable.push_back(rs);
  const int64_t diff = static_cast<int64_t>(cleanable.size()) - int_field(d, {"spec", "revisionHistoryLimit"});
  if (diff <= 0) return {};
  sort_by_revision(cleanable);
  for (int64_t i = 0; i < diff; ++i) {
    const json& rs = cleanable[static_cast<size_t>(i)];
    if (int_field(rs, {"status", "replicas"}) != 0 || replicas_of(rs) != 0 ||
        podcontrol::generation_of(rs) > int_field(rs, {"status", "observedGeneration"}) ||
        podcontrol::has_deletion_timestamp(rs)) {
      continue;
    }
    auto removed = ctx_.client.remove(client::resources::kReplicaSets, podcontrol::namespace_of(rs),
                                      podcontrol::name_of(rs));
    if (!removed && removed.error().reason() != base::Reason::NotFound) return base::error(removed.error());
  }
  return {};
}

}  // namespace kite::controllers
