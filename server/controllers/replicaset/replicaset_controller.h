// ReplicaSetController: keeps the number of active pods of every ReplicaSet at
// spec.replicas, as kube-controller-manager's replicaset controller does.
//
// sync("ns/name"):
//   1. claims the namespace's active pods (adopts orphans matching spec.selector, releases
//      owned pods that no longer match) through podcontrol::claim;
//   2. when the controller's expectations for the key are satisfied and the ReplicaSet is not
//      being deleted, creates the missing pods (at most 500 per sync, in slow-start batches
//      1, 2, 4, ...) or deletes the surplus (ranked by podcontrol::pods_to_delete);
//   3. writes status (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas with
//      minReadySeconds on the context clock, observedGeneration, and the ReplicaFailure
//      condition with reason FailedCreate/FailedDelete while creating/deleting fails) and
//      requeues after minReadySeconds when ready pods are not yet available.
// Pod events (SuccessfulCreate, FailedCreate, SuccessfulDelete, FailedDelete) are recorded on
// the ReplicaSet by component "replicaset-controller".
//
// Threads: informer handlers enqueue keys and update expectations; `workers` threads run
// sync (different keys concurrently).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "server/controllers/framework/controller.h"
#include "server/controllers/podcontrol/expectations.h"
#include "server/controllers/podcontrol/pod_control.h"

namespace kite::controllers {

using json = nlohmann::json;

// Upstream's --concurrent-replicaset-syncs default is 5; kite runs on small machines.
inline constexpr int kReplicaSetWorkers = 3;
// Upstream's burstReplicas: at most this many creates or deletes per sync.
inline constexpr int kReplicaSetBurst = 500;

class ReplicaSetController final : public QueueController {
 public:
  // `workers` = 0 starts no threads: tests call sync() themselves.
  explicit ReplicaSetController(ControllerContext& ctx, int workers = kReplicaSetWorkers);
  ~ReplicaSetController() override;

  base::Result<void> sync(const std::string& key) override;
  podcontrol::ControllerExpectations& expectations() { return expectations_; }

 protected:
  void register_handlers() override;
  std::vector<client::Informer*> informers_to_sync() override;

 private:
  void on_pod_add(const client::ObjectPtr& pod);
  void on_pod_update(const client::ObjectPtr& old_pod, const client::ObjectPtr& new_pod);
  void on_pod_delete(const client::ObjectPtr& pod);
  void enqueue_matching_replicasets(const json& pod);
  client::ObjectPtr owning_replicaset(const json& pod) const;

  base::Result<void> manage_replicas(const std::vector<client::ObjectPtr>& pods, const json& rs,
                                     const std::string& key);
  std::vector<client::ObjectPtr> indirectly_related_pods(const json& rs) const;

  ControllerContext& ctx_;
  client::Informer& rs_informer_;
  client::Informer& pod_informer_;
  client::EventRecorder recorder_;
  podcontrol::PodControl pod_control_;
  podcontrol::ControllerExpectations expectations_;
};

std::unique_ptr<Controller> make_replicaset_controller(ControllerContext& ctx);

}  // namespace kite::controllers
