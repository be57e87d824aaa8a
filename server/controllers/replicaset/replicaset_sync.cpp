// ReplicaSetController::sync: claim pods, create/delete to match spec.replicas, write status.
#include <algorithm>
#include <set>

#include "api/selector/label_selector.h"
#include "server/controllers/podcontrol/object_fields.h"
#include "server/controllers/podcontrol/owner_refs.h"
#include "server/controllers/podcontrol/pod_ranking.h"
#include "server/controllers/podcontrol/pod_state.h"
#include "server/controllers/replicaset/replicaset_controller.h"
#include "server/controllers/replicaset/replicaset_status.h"

namespace kite::controllers {

using podcontrol::field;
using podcontrol::int_field;

namespace {
const podcontrol::OwnerKind kReplicaSetKind{"apps/v1", "ReplicaSet"};
}

base::Result<void> ReplicaSetController::sync(const std::string& key) {
  auto cached = rs_informer_.get(key);
  if (!cached) {
    expectations_.delete_expectations(key);
    return {};
  }
  const json rs = podcontrol::with_kind(*cached, kReplicaSetKind);
  const bool needs_sync = expectations_.satisfied(key);
  auto selector = api::LabelSelector::from_json(field(rs, {"spec", "selector"}));
  if (!selector) return {};  // an invalid selector cannot be acted on; the API rejects it anyway

  std::vector<client::ObjectPtr> active;
  for (const auto& pod : pod_informer_.by_index(client::kIndexNamespace, podcontrol::namespace_of(rs))) {
    if (podcontrol::is_pod_active(*pod)) active.push_back(pod);
  }
  podcontrol::ClaimSpec claim{.client = &ctx_.client,
                              .resource = client::resources::kPods,
                              .owner = &rs,
                              .owner_kind = kReplicaSetKind,
                              .selector = &*selector,
                              .can_adopt = podcontrol::fresh_owner_check(ctx_.client, client::resources::kReplicaSets, rs)};
  auto pods = podcontrol::claim(claim, active);
  if (!pods) return base::error(pods.error());

  base::Status manage_error;
  if (needs_sync && !podcontrol::has_deletion_timestamp(rs)) {
    if (auto r = manage_replicas(*pods, rs, key); !r) manage_error = r.error();
  }
  json status = replicaset::calculate_status(rs, *pods, manage_error, ctx_.clock.now());
  auto updated = replicaset::update_status(ctx_.client, rs, std::move(status));
  if (!updated) return base::error(updated.error());

  const int64_t min_ready = int_field(*updated, {"spec", "minReadySeconds"}, 0);
  const int64_t replicas = int_field(*updated, {"spec", "replicas"}, 1);
  if (manage_error.is_ok() && min_ready > 0 && int_field(*updated, {"status", "readyReplicas"}) == replicas &&
      int_field(*updated, {"status", "availableReplicas"}) != replicas) {
    queue().add_after(key, std::chrono::seconds(min_ready));
  }
  if (!manage_error.is_ok()) return base::error(manage_error);
  return {};
}

base::Result<void> ReplicaSetController::manage_replicas(const std::vector<client::ObjectPtr>& pods, const json& rs,
                                                         const std::string& key) {
  const int64_t replicas = int_field(rs, {"spec", "replicas"}, 1);
  int64_t diff = static_cast<int64_t>(pods.size()) - replicas;
  const std::string ns = podcontrol::namespace_of(rs);
  if (diff < 0) {
    int count = static_cast<int>(std::min<int64_t>(-diff, kReplicaSetBurst));
    expectations_.expect_creations(key, count);
    const json ref = podcontrol::controller_ref(rs, kReplicaSetKind);
    const json& tmpl = field(rs, {"spec", "template"});
    auto result = podcontrol::slow_start_batch(count, 1, [&]() -> base::Result<void> {
      auto created = pod_control_.create_pod(ns, tmpl, rs, ref);
      if (!created && podcontrol::is_namespace_terminating(created.error())) return {};
      if (!created) return base::error(created.error());
      return {};
    });
    // Pods never attempted (or failed) will not be observed: lower the expectations.
    for (int i = result.successes; i < count; ++i) expectations_.creation_observed(key);
    if (!result.first_error.is_ok()) return base::error(result.first_error);
    return {};
  }
  if (diff > 0) {
    size_t count = static_cast<size_t>(std::min<int64_t>(diff, kReplicaSetBurst));
    auto victims = podcontrol::pods_to_delete(pods, indirectly_related_pods(rs), count, ctx_.clock.now());
    std::vector<std::string> victim_keys;
    for (const auto& p : victims) victim_keys.push_back(podcontrol::pod_key(*p));
    expectations_.expect_deletions(key, victim_keys);
    base::Status first_error;
    for (const auto& p : victims) {
      auto removed = pod_control_.delete_pod(ns, podcontrol::name_of(*p), rs);
      if (!removed) {
        expectations_.deletion_observed(key, podcontrol::pod_key(*p));
        if (removed.error().reason() != base::Reason::NotFound && first_error.is_ok()) first_error = removed.error();
      }
    }
    if (!first_error.is_ok()) return base::error(first_error);
  }
  return {};
}

// The pods of every ReplicaSet that has the same controller (Deployment) as `rs`: scale-down
// prefers pods doubled up on a node with their siblings.
std::vector<client::ObjectPtr> ReplicaSetController::indirectly_related_pods(const json& rs) const {
  std::vector<client::ObjectPtr> related;
  const json* owner = podcontrol::controller_of(rs);
  if (!owner) return related;
  const std::string owner_uid = owner->value("uid", "");
  const std::string ns = podcontrol::namespace_of(rs);
  std::set<std::string> seen;
  auto all_pods = pod_informer_.by_index(client::kIndexNamespace, ns);
  for (const auto& sibling : rs_informer_.by_index(client::kIndexNamespace, ns)) {
    if (!podcontrol::is_controlled_by(*sibling, owner_uid)) continue;
    auto selector = api::LabelSelector::from_json(field(*sibling, {"spec", "selector"}));
    if (!selector) continue;
    for (const auto& pod : all_pods) {
      if (!selector->matches(podcontrol::labels_of(*pod))) continue;
      if (seen.insert(podcontrol::uid_of(*pod)).second) related.push_back(pod);
    }
  }
  return related;
}

}  // namespace kite::controllers
