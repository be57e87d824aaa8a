// ReplicaSetController: construction and informer handlers (see replicaset_controller.h).
#include "server/controllers/replicaset/replicaset_controller.h"

#include "api/selector/label_selector.h"
#include "server/controllers/podcontrol/object_fields.h"
#include "server/controllers/podcontrol/owner_refs.h"
#include "server/controllers/podcontrol/pod_state.h"

namespace kite::controllers {

using podcontrol::field;
using podcontrol::int_field;

ReplicaSetController::ReplicaSetController(ControllerContext& ctx, int workers)
    : QueueController("replicaset-controller", workers),
      ctx_(ctx),
      rs_informer_(ctx.informers.informer(client::resources::kReplicaSets)),
      pod_informer_(ctx.informers.informer(client::resources::kPods)),
      recorder_(ctx.client, {"replicaset-controller", ""}, ctx.clock),
      pod_control_(ctx.client, recorder_),
      expectations_(ctx.clock) {}

ReplicaSetController::~ReplicaSetController() { stop(); }

std::vector<client::Informer*> ReplicaSetController::informers_to_sync() { return {&rs_informer_, &pod_informer_}; }

void ReplicaSetController::register_handlers() {
  rs_informer_.add_handlers({
      .on_add = [this](const client::ObjectPtr& rs) { enqueue(rs); },
      .on_update = [this](const client::ObjectPtr&, const client::ObjectPtr& rs) { enqueue(rs); },
      .on_delete =
          [this](const client::ObjectPtr& rs) {
            expectations_.delete_expectations(client::object_key(*rs));
            enqueue(rs);
          },
  });
  pod_informer_.add_handlers({
      .on_add = [this](const client::ObjectPtr& pod) { on_pod_add(pod); },
      .on_update = [this](const client::ObjectPtr& o, const client::ObjectPtr& n) { on_pod_update(o, n); },
      .on_delete = [this](const client::ObjectPtr& pod) { on_pod_delete(pod); },
  });
}

client::ObjectPtr ReplicaSetController::owning_replicaset(const json& pod) const {
  return podcontrol::resolve_controller_ref(rs_informer_, podcontrol::namespace_of(pod), podcontrol::controller_of(pod),
                                            "ReplicaSet");
}

void ReplicaSetController::enqueue_matching_replicasets(const json& pod) {
  const json labels = podcontrol::labels_of(pod);
  for (const auto& rs : rs_informer_.by_index(client::kIndexNamespace, podcontrol::namespace_of(pod))) {
    auto selector = api::LabelSelector::from_json(field(*rs, {"spec", "selector"}));
    // A nil or empty selector matches nothing here, not everything.
    if (!selector || selector->empty() || selector->matches_nothing() || !selector->matches(labels)) continue;
    enqueue(rs);
  }
}

void ReplicaSetController::on_pod_add(const client::ObjectPtr& pod) {
  if (podcontrol::has_deletion_timestamp(*pod)) {
    on_pod_delete(pod);  // seen for the first time while already being deleted
    return;
  }
  if (podcontrol::controller_of(*pod)) {
    if (auto rs = owning_replicaset(*pod)) {
      auto key = client::object_key(*rs);
      expectations_.creation_observed(key);
      queue().add(key);
    }
    return;
  }
  enqueue_matching_replicasets(*pod);
}

void ReplicaSetController::on_pod_update(const client::ObjectPtr& old_pod, const client::ObjectPtr& new_pod) {
  if (podcontrol::resource_version_of(*old_pod) == podcontrol::resource_version_of(*new_pod)) return;
  const bool labels_changed = podcontrol::labels_of(*old_pod) != podcontrol::labels_of(*new_pod);
  if (podcontrol::has_deletion_timestamp(*new_pod)) {
    // A graceful delete: count it as the deletion now, the pod will not come back.
    on_pod_delete(new_pod);
    if (labels_changed) on_pod_delete(old_pod);
    return;
  }
  const json* old_ref = podcontrol::controller_of(*old_pod);
  const json* new_ref = podcontrol::controller_of(*new_pod);
  const bool ref_changed = (old_ref ? *old_ref : json()) != (new_ref ? *new_ref : json());
  if (ref_changed && old_ref) {
    if (auto rs = owning_replicaset(*old_pod)) enqueue(rs);
  }
  if (new_ref) {
    auto rs = owning_replicaset(*new_pod);
    if (!rs) return;
    enqueue(rs);
    const int64_t min_ready = int_field(*rs, {"spec", "minReadySeconds"}, 0);
    if (!podcontrol::is_pod_ready(*old_pod) && podcontrol::is_pod_ready(*new_pod) && min_ready > 0) {
      queue().add_after(client::object_key(*rs), std::chrono::seconds(min_ready) + std::chrono::seconds(1));
    }
    return;
  }
  if (labels_changed || ref_changed) enqueue_matching_replicasets(*new_pod);
}

void ReplicaSetController::on_pod_delete(const client::ObjectPtr& pod) {
  auto rs = owning_replicaset(*pod);
  if (!rs) return;
  auto key = client::object_key(*rs);
  expectations_.deletion_observed(key, podcontrol::pod_key(*pod));
  queue().add(key);
}

std::unique_ptr<Controller> make_replicaset_controller(ControllerContext& ctx) {
  return std::make_unique<ReplicaSetController>(ctx);
}

}  // namespace kite::controllers
