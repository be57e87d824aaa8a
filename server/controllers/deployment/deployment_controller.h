// DeploymentController: rolls Deployments out through ReplicaSets, as kube-controller-manager's
// deployment controller does.
//
// sync("ns/name") claims the ReplicaSets matching spec.selector (adopt/release, controller
// references), then:
//   - deployment being deleted: only status;
//   - Progressing condition DeploymentPaused / DeploymentResumed on pause changes;
//   - paused, or a scaling event (an active RS's desired-replicas annotation differs from
//     spec.replicas): scale() - proportional scaling of the active ReplicaSets within
//     replicas + maxSurge - then status;
//   - Recreate: scale old ReplicaSets to 0, wait until no old pod runs, create/scale the new
//     ReplicaSet;
//   - RollingUpdate: scale the new ReplicaSet up within maxSurge, old ones down within
//     maxUnavailable (unhealthy old replicas first);
//   - after a complete rollout, deletes the oldest idle ReplicaSets beyond
//     revisionHistoryLimit;
//   - status: observedGeneration, replicas, updatedReplicas, readyReplicas, availableReplicas,
//     unavailableReplicas, collisionCount, conditions Available (MinimumReplicasAvailable /
//     MinimumReplicasUnavailable), Progressing (NewReplicaSetCreated, FoundNewReplicaSet,
//     ReplicaSetUpdated, NewReplicaSetAvailable, ProgressDeadlineExceeded) and ReplicaFailure
//     (copied from the ReplicaSets); a rollout without progress is requeued (add_after) for
//     when its progress deadline passes on the context clock.
// New ReplicaSets are named "<deployment>-<pod-template-hash>" and carry the revision,
// desired-replicas and max-replicas annotations; the deployment gets the revision annotation.
// Events ("ScalingReplicaSet": "Scaled up replica set X from A to B") are recorded by
// component "deployment-controller".
//
// Threads: informer handlers only enqueue; `workers` threads run sync.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/controllers/framework/controller.h"

namespace kite::controllers {

using json = nlohmann::json;

inline constexpr int kDeploymentWorkers = 3;

class DeploymentController final : public QueueController {
 public:
  // `workers` = 0 starts no threads: tests call sync() themselves.
  explicit DeploymentController(ControllerContext& ctx, int workers = kDeploymentWorkers);
  ~DeploymentController() override;

  base::Result<void> sync(const std::string& key) override;

 protected:
  void register_handlers() override;
  std::vector<client::Informer*> informers_to_sync() override;

 private:
  // The ReplicaSets of one deployment during a sync: the new one (template equal to the
  // deployment's), if any, and the others.
  struct ReplicaSets {
    std::optional<json> new_rs;
    std::vector<json> old_rs;
    std::vector<json> all() const;
  };
  // Pods of the deployment's ReplicaSets, by ReplicaSet uid.
  using PodMap = std::vector<std::pair<std::string, std::vector<client::ObjectPtr>>>;

  // handlers
  void on_rs_add(const client::ObjectPtr& rs);
  void on_rs_update(const client::ObjectPtr& old_rs, const client::ObjectPtr& new_rs);
  void on_rs_delete(const client::ObjectPtr& rs);
  void on_pod_delete(const client::ObjectPtr& pod);
  void enqueue_matching_deployments(const json& rs);

  // deployment_sync.cpp
  base::Result<std::vector<json>> claim_replicasets(const json& d);
  PodMap pod_map(const json& d, const std::vector<json>& rs_list) const;
  base::Result<void> check_paused_conditions(json& d);
  base::Result<bool> is_scaling_event(json& d, std::vector<json>& rs_list);
  base::Result<void> sync_scale(json& d, std::vector<json>& rs_list);
  base::Result<void> scale(const json& d, ReplicaSets& rss);
  base::Result<void> cleanup(const json& d, const std::vector<json>& old_rs);

  // deployment_replicasets.cpp. replicasets_and_sync_revision() puts the new ReplicaSet as
  // written (updated or created) back into `rs_list`, so later steps of the same sync do not
  // write from a stale copy.
  base::Result<ReplicaSets> replicasets_and_sync_revision(json& d, std::vector<json>& rs_list,
                                                          bool create_if_missing);
  base::Result<std::optional<json>> new_replicaset(json& d, const std::vector<json>& rs_list,
                                                   const std::vector<json>& old_rs, bool create_if_missing);
  base::Result<json> create_new_replicaset(json& d, const std::vector<json>& old_rs, int64_t new_revision);
  // Scales `rs` to `new_scale` (and refreshes its replica annotations); returns whether the
  // size changed and the RS as stored.
  base::Result<std::pair<bool, json>> scale_replicaset(const json& rs, int64_t new_scale, const json& d);
  base::Result<std::pair<bool, json>> scale_replicaset(const json& rs, int64_t new_scale, const json& d,
                                                       const std::string& operation);
  base::Result<void> write_deployment_status(json& d);
  base::Result<void> write_deployment_revision(json& d);

  // deployment_rollout.cpp
  base::Result<void> rollout_rolling(json& d, std::vector<json>& rs_list);
  base::Result<void> rollout_recreate(json& d, std::vector<json>& rs_list, const PodMap& pods);
  base::Result<bool> reconcile_new_replicaset(const std::vector<json>& all_rs, const json& new_rs, const json& d);
  base::Result<bool> reconcile_old_replicasets(std::vector<json> all_rs, std::vector<json> old_rs,
                                               const json& new_rs, const json& d);

  // deployment_status.cpp
  json calculate_status(const std::vector<json>& all_rs, const std::optional<json>& new_rs, const json& d) const;
  base::Result<void> sync_deployment_status(json& d, const ReplicaSets& rss);
  base::Result<void> sync_rollout_status(json& d, const ReplicaSets& rss);
  void requeue_stuck(const json& d, const json& new_status);

  ControllerContext& ctx_;
  client::Informer& d_informer_;
  client::Informer& rs_informer_;
  client::Informer& pod_informer_;
  client::EventRecorder recorder_;
};

std::unique_ptr<Controller> make_deployment_controller(ControllerContext& ctx);

}  // namespace kite::controllers
