// DeploymentController: construction and informer handlers (see deployment_controller.h).
#include "server/controllers/deployment/deployment_controller.h"

#include "api/selector/label_selector.h"
#include "server/controllers/podcontrol/object_fields.h"
#include "server/controllers/podcontrol/owner_refs.h"

namespace kite::controllers {

using podcontrol::field;

DeploymentController::DeploymentController(ControllerContext& ctx, int workers)
    : QueueController("deployment-controller", workers),
      ctx_(ctx),
      d_informer_(ctx.informers.informer(client::resources::kDeployments)),
      rs_informer_(ctx.informers.informer(client::resources::kReplicaSets)),
      pod_informer_(ctx.informers.informer(client::resources::kPods)),
      recorder_(ctx.client, {"deployment-controller", ""}, ctx.clock) {}

DeploymentController::~DeploymentController() { stop(); }

std::vector<client::Informer*> DeploymentController::informers_to_sync() {
  return {&d_informer_, &rs_informer_, &pod_informer_};
}

std::vector<json> DeploymentController::ReplicaSets::all() const {
  std::vector<json> out = old_rs;
  if (new_rs) out.push_back(*new_rs);
  return out;
}

void DeploymentController::register_handlers() {
  d_informer_.add_handlers({
      .on_add = [this](const client::ObjectPtr& d) { enqueue(d); },
      .on_update = [this](const client::ObjectPtr&, const client::ObjectPtr& d) { enqueue(d); },
      .on_delete = [this](const client::ObjectPtr& d) { enqueue(d); },
  });
  rs_informer_.add_handlers({
      .on_add = [this](const client::ObjectPtr& rs) { on_rs_add(rs); },
      .on_update = [this](const client::ObjectPtr& o, const client::ObjectPtr& n) { on_rs_update(o, n); },
      .on_delete = [this](const client::ObjectPtr& rs) { on_rs_delete(rs); },
  });
  pod_informer_.add_handlers({
      .on_add = [](const client::ObjectPtr&) {},
      .on_update = [](const client::ObjectPtr&, const client::ObjectPtr&) {},
      .on_delete = [this](const client::ObjectPtr& pod) { on_pod_delete(pod); },
  });
}

void DeploymentController::enqueue_matching_deployments(const json& rs) {
  const json labels = podcontrol::labels_of(rs);
  for (const auto& d : d_informer_.by_index(client::kIndexNamespace, podcontrol::namespace_of(rs))) {
    auto selector = api::LabelSelector::from_json(field(*d, {"spec", "selector"}));
    if (!selector || selector->empty() || selector->matches_nothing() || !selector->matches(labels)) continue;
    enqueue(d);
  }
}

void DeploymentController::on_rs_add(const client::ObjectPtr& rs) {
  if (podcontrol::has_deletion_timestamp(*rs)) {
    on_rs_delete(rs);
    return;
  }
  if (const json* ref = podcontrol::controller_of(*rs)) {
    if (auto d = podcontrol::resolve_controller_ref(d_informer_, podcontrol::namespace_of(*rs), ref, "Deployment")) {
      enqueue(d);
    }
    return;
  }
  enqueue_matching_deployments(*rs);
}

void DeploymentController::on_rs_update(const client::ObjectPtr& old_rs, const client::ObjectPtr& new_rs) {
  if (podcontrol::resource_version_of(*old_rs) == podcontrol::resource_version_of(*new_rs)) return;
  const json* old_ref = podcontrol::controller_of(*old_rs);
  const json* new_ref = podcontrol::controller_of(*new_rs);
  const bool ref_changed = (old_ref ? *old_ref : json()) != (new_ref ? *new_ref : json());
  const std::string ns = podcontrol::namespace_of(*new_rs);
  if (ref_changed && old_ref) {
    if (auto d = podcontrol::resolve_controller_ref(d_informer_, ns, old_ref, "Deployment")) enqueue(d);
  }
  if (new_ref) {
    if (auto d = podcontrol::resolve_controller_ref(d_informer_, ns, new_ref, "Deployment")) enqueue(d);
    return;
  }
  const bool labels_changed = podcontrol::labels_of(*old_rs) != podcontrol::labels_of(*new_rs);
  if (labels_changed || ref_changed) enqueue_matching_deployments(*new_rs);
}

void DeploymentController::on_rs_delete(const client::ObjectPtr& rs) {
  if (auto d = podcontrol::resolve_controller_ref(d_informer_, podcontrol::namespace_of(*rs),
                                                  podcontrol::controller_of(*rs), "Deployment")) {
    enqueue(d);
  }
}

// A Recreate rollout waits for the old pods to be gone: their deletion moves it on.
void DeploymentController::on_pod_delete(const client::ObjectPtr& pod) {
  const std::string ns = podcontrol::namespace_of(*pod);
  auto rs = podcontrol::resolve_controller_ref(rs_informer_, ns, podcontrol::controller_of(*pod), "ReplicaSet");
  if (!rs) return;
  auto d = podcontrol::resolve_controller_ref(d_informer_, ns, podcontrol::controller_of(*rs), "Deployment");
  if (d && podcontrol::string_field(*d, {"spec", "strategy", "type"}) == "Recreate") enqueue(d);
}

std::unique_ptr<Controller> make_deployment_controller(ControllerContext& ctx) {
  return std::make_unique<DeploymentController>(ctx);
}

}  // namespace kite::controllers
