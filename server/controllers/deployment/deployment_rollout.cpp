// DeploymentController: the RollingUpdate and Recreate strategies.
#include <algorithm>

#include "server/controllers/deployment/deployment_controller.h"
#include "server/controllers/deployment/deployment_util.h"
#include "server/controllers/podcontrol/object_fields.h"

namespace kite::controllers {

using namespace deployment;  // NOLINT: the helpers of this controller
using podcontrol::field;
using podcontrol::int_field;

base::Result<void> DeploymentController::rollout_rolling(json& d, std::vector<json>& rs_list) {
  auto rss = replicasets_and_sync_revision(d, rs_list, true);
  if (!rss) return base::error(rss.error());
  const std::vector<json> all = rss->all();
  auto scaled_up = reconcile_new_replicaset(all, *rss->new_rs, d);
  if (!scaled_up) return base::error(scaled_up.error());
  if (*scaled_up) return sync_rollout_status(d, *rss);

  auto scaled_down = reconcile_old_replicasets(all, active_replicasets(rss->old_rs), *rss->new_rs, d);
  if (!scaled_down) return base::error(scaled_down.error());
  if (*scaled_down) return sync_rollout_status(d, *rss);

  if (deployment_complete(d, field(d, {"status"}))) {
    if (auto r = cleanup(d, rss->old_rs); !r) return r;
  }
  return sync_rollout_status(d, *rss);
}

base::Result<bool> DeploymentController::reconcile_new_replicaset(const std::vector<json>& all_rs, const json& new_rs,
                                                                  const json& d) {
  const int64_t want = replicas_of(d);
  if (replicas_of(new_rs) == want) return false;
  int64_t target = want;
  if (replicas_of(new_rs) < want) {
    auto n = new_rs_new_replicas(d, all_rs, new_rs);
    if (!n) return base::error(n.error());
    target = *n;
  }
  auto r = scale_replicaset(new_rs, target, d);
  if (!r) return base::error(r.error());
  return r->first;
}

base::Result<bool> DeploymentController::reconcile_old_replicasets(std::vector<json> all_rs, std::vector<json> old_rs,
                                                                   const json& new_rs, const json& d) {
  if (sum_spec_replicas(old_rs) == 0) return false;  // nothing left to scale down
  const int64_t all_pods = sum_spec_replicas(all_rs);
  const int64_t min_available = replicas_of(d) - max_unavailable(d);
  const int64_t new_unavailable = replicas_of(new_rs) - int_field(new_rs, {"status", "availableReplicas"});
  const int64_t max_scaled_down = all_pods - min_available - new_unavailable;
  if (max_scaled_down <= 0) return false;

  // Unhealthy old replicas go first, so they cannot block the rollout.
  sort_by_creation(old_rs);
  int64_t cleaned = 0;
  for (auto& rs : old_rs) {
    if (cleaned >= max_scaled_down) break;
    const int64_t replicas = replicas_of(rs);
    const int64_t available = int_field(rs, {"status", "availableReplicas"});
    if (replicas == 0 || replicas == available) continue;
    const int64_t down = std::min(max_scaled_down - cleaned, replicas - available);
    auto r = scale_replicaset(rs, replicas - down, d);
    if (!r) return base::error(r.error());
    cleaned += down;
    rs = std::move(r->second);
  }

  // Then healthy ones, as far as maxUnavailable allows.
  all_rs = old_rs;
  all_rs.push_back(new_rs);
  const int64_t available = sum_status(all_rs, "availableReplicas");
  int64_t scaled = 0;
  if (available > min_available) {
    const int64_t total = available - min_available;
    for (const auto& rs : old_rs) {
      if (scaled >= total) break;
      if (replicas_of(rs) == 0) continue;
      const int64_t down = std::min(replicas_of(rs), total - scaled);
      auto r = scale_replicaset(rs, replicas_of(rs) - down, d);
      if (!r) return base::error(r.error());
      scaled += down;
    }
  }
  return cleaned + scaled > 0;
}

namespace {

// True while any pod of an old ReplicaSet may still run (Recreate waits for none).
template <typename PodMap>
bool old_pods_running(const std::optional<json>& new_rs, const std::vector<json>& old_rs, const PodMap& pods) {
  if (sum_status(old_rs, "replicas") > 0) return true;
  const std::string new_uid = new_rs ? podcontrol::uid_of(*new_rs) : "";
  for (const auto& [uid, list] : pods) {
    if (new_rs && uid == new_uid) continue;
    for (const auto& pod : list) {
      const std::string phase = podcontrol::string_field(*pod, {"status", "phase"});
      if (phase == "Failed" || phase == "Succeeded") continue;
      return true;
    }
  }
  return false;
}

}  // namespace

base::Result<void> DeploymentController::rollout_recreate(json& d, std::vector<json>& rs_list,
                                                          const PodMap& pods) {
  auto rss = replicasets_and_sync_revision(d, rs_list, false);
  if (!rss) return base::error(rss.error());
  bool scaled_down = false;
  for (const auto& rs : active_replicasets(rss->old_rs)) {
    auto r = scale_replicaset(rs, 0, d);
    if (!r) return base::error(r.error());
    scaled_down = scaled_down || r->first;
  }
  if (scaled_down) return sync_rollout_status(d, *rss);
  if (old_pods_running(rss->new_rs, rss->old_rs, pods)) return sync_rollout_status(d, *rss);

  if (!rss->new_rs) {
    rss = replicasets_and_sync_revision(d, rs_list, true);
    if (!rss) return base::error(rss.error());
  }
  auto up = scale_replicaset(*rss->new_rs, replicas_of(d), d);
  if (!up) return base::error(up.error());
  if (deployment_complete(d, field(d, {"status"}))) {
    if (auto r = cleanup(d, rss->old_rs); !r) return r;
  }
  return sync_rollout_status(d, *rss);
}

}  // namespace kite::controllers
