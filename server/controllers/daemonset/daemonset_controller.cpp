#include "server/controllers/daemonset/daemonset_controller.h"

#include <algorithm>

#include "api/selector/label_selector.h"
#include "base/log.h"
#include "client/resource_ref.h"
#include "server/controllers/daemonset/daemon_plan.h"
#include "server/controllers/daemonset/daemon_pods.h"
#include "server/controllers/daemonset/daemonset_history.h"
#include "server/controllers/daemonset/expectations.h"
#include "server/controllers/daemonset/node_eligibility.h"
#include "server/controllers/history/owner_refs.h"
#include "server/controllers/history/pod_readiness.h"

namespace kite::controllers {

namespace {

using client::ObjectPtr;
using history::meta_string;
using json = nlohmann::json;
namespace ds_ns = daemonset;

constexpr int64_t kBurstReplicas = 250;

json labels_of(const json& obj) {
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object() || !m->contains("labels") || !(*m)["labels"].is_object())
    return json::object();
  return (*m)["labels"];
}

json selector_json(const json& ds) {
  auto s = ds.find("spec");
  if (s == ds.end() || !s->is_object()) return json();
  return s->value("selector", json());
}

class DaemonSetController final : public QueueController {
 public:
  explicit DaemonSetController(ControllerContext& ctx)
      : QueueController("daemonset-controller", 2),
        ctx_(ctx),
        sets_(ctx.informers.informer(client::resources::kDaemonSets)),
        nodes_(ctx.informers.informer(client::resources::kNodes)),
        pods_(ctx.informers.informer(client::resources::kPods)),
        revisions_(ctx.informers.informer(client::resources::kControllerRevisions)),
        recorder_(ctx.client, client::EventSource{"daemonset-controller", ""}, ctx.clock),
        expectations_(ctx.clock) {
    // The indexes sync() reads (re-adding an index another controller added is harmless).
    sets_.add_index(client::kIndexNamespace, client::index_by_namespace);
    pods_.add_index(client::kIndexNamespace, client::index_by_namespace);
    pods_.add_index(client::kIndexOwnerUid, client::index_by_owner_uid);
    revisions_.add_index(client::kIndexOwnerUid, client::index_by_owner_uid);
  }

 protected:
  void register_handlers() override {
    sets_.add_handlers(enqueue_handlers());
    pods_.add_handlers({
        [this](const ObjectPtr& p) { on_pod_add(p); },
        [this](const ObjectPtr& o, const ObjectPtr& p) { on_pod_update(o, p); },
        [this](const ObjectPtr& p) { on_pod_delete(*p); },
    });
    nodes_.add_handlers({
        [this](const ObjectPtr& n) { on_node_change(nullptr, n); },
        [this](const ObjectPtr& o, const ObjectPtr& n) { on_node_change(o, n); },
        [this](const ObjectPtr&) {
          for (const auto& ds : sets_.list()) enqueue(ds);
        },
    });
    auto revision_owner = [this](const ObjectPtr& r) {
      const json* ref = history::controller_of(*r);
      if (ref == nullptr || ref->value("kind", "") != "DaemonSet") return;
      auto ds = sets_.get(meta_string(*r, "namespace") + "/" + ref->value("name", ""));
      if (ds && meta_string(*ds, "uid") == ref->value("uid", "")) enqueue(ds);
    };
    revisions_.add_handlers({
        revision_owner,
        [revision_owner](const ObjectPtr&, const ObjectPtr& r) { revision_owner(r); },
        revision_owner,
    });
  }

  std::vector<client::Informer*> informers_to_sync() override { return {&sets_, &nodes_, &pods_, &revisions_}; }

  base::Result<void> sync(const std::string& key) override;

 private:
  ObjectPtr owner_of(const json& pod) const {
    const json* ref = history::controller_of(pod);
    if (ref == nullptr || ref->value("kind", "") != "DaemonSet") return nullptr;
    auto ds = sets_.get(meta_string(pod, "namespace") + "/" + ref->value("name", ""));
    if (!ds || meta_string(*ds, "uid") != ref->value("uid", "")) return nullptr;
    return ds;
  }
  void enqueue_matching_sets(const json& pod) {
    json labels = labels_of(pod);
    for (const auto& ds : sets_.by_index(client::kIndexNamespace, meta_string(pod, "namespace"))) {
      auto sel = api::LabelSelector::from_json(selector_json(*ds));
      if (sel && !sel->empty() && sel->matches(labels)) enqueue(ds);
    }
  }
  void on_pod_add(const ObjectPtr& pod) {
    if (history::being_deleted(*pod)) {
      on_pod_delete(*pod);
      return;
    }
    if (history::controller_of(*pod) != nullptr) {
      if (auto ds = owner_of(*pod)) {
        expectations_.creation_observed(client::object_key(*ds));
        enqueue(ds);
      }
      return;
    }
    enqueue_matching_sets(*pod);
  }
  void on_pod_update(const ObjectPtr& old_pod, const ObjectPtr& pod) {
    if (meta_string(*old_pod, "resourceVersion") == meta_string(*pod, "resourceVersion")) return;
    if (history::being_deleted(*pod) && !history::being_deleted(*old_pod)) {
      on_pod_delete(*pod);
      return;
    }
    const json* old_ref = history::controller_of(*old_pod);
    const json* new_ref = history::controller_of(*pod);
    if (old_ref != nullptr && (new_ref == nullptr || old_ref->value("uid", "") != new_ref->value("uid", ""))) {
      if (auto ds = owner_of(*old_pod)) enqueue(ds);
    }
    if (new_ref != nullptr) {
      auto ds = owner_of(*pod);
      if (!ds) return;
      enqueue(ds);
      int64_t min_ready = ds_ns::min_ready_seconds(*ds);
      if (min_ready > 0 && !history::is_pod_ready(*old_pod) && history::is_pod_ready(*pod))
        queue().add_after(client::object_key(*ds), std::chrono::seconds(min_ready + 1));
      return;
    }
    if (labels_of(*old_pod) != labels_of(*pod) || old_ref != nullptr) enqueue_matching_sets(*pod);
  }
  void on_pod_delete(const json& pod) {
    if (auto ds = owner_of(pod)) {
      expectations_.deletion_observed(client::object_key(*ds));
      enqueue(ds);
    }
  }
  void on_node_change(const ObjectPtr& old_node, const ObjectPtr& node) {
    for (const auto& ds : sets_.list()) {
      auto now = ds_ns::node_should_run_daemon_pod(*node, *ds);
      if (!old_node) {
        if (now.should_run) enqueue(ds);
        continue;
      }
      auto before = ds_ns::node_should_run_daemon_pod(*old_node, *ds);
      if (before.should_run != now.should_run || before.should_continue_running != now.should_continue_running)
        enqueue(ds);
    }
  }

  void event(const json& ds, const std::string& type, const std::string& reason, const std::string& message) {
    recorder_.event(history::with_type_meta(ds, "apps/v1", "DaemonSet"), type, reason, message);
  }
  base::Result<std::vector<ObjectPtr>> claim_pods(const json& ds, const api::LabelSelector& selector);
  ds_ns::NodePods group_by_node(const std::vector<ObjectPtr>& pods) const;
  base::Result<void> sync_nodes(const json& ds, const std::vector<std::string>& pods_to_delete,
                                const std::vector<std::string>& nodes_to_create, const std::string& hash);
  base::Result<void> update_status(const json& ds, const std::vector<ObjectPtr>& nodes,
                                   const ds_ns::NodePods& node_pods, const std::string& hash, bool observed_generation);

  ControllerContext& ctx_;
  client::Informer& sets_;
  client::Informer& nodes_;
  client::Informer& pods_;
  client::Informer& revisions_;
  client::EventRecorder recorder_;
  ds_ns::Expectations expectations_;
  ds_ns::FailedPodBackoff backoff_;
};

base::Result<std::vector<ObjectPtr>> DaemonSetController::claim_pods(const json& ds,
                                                                     const api::LabelSelector& selector) {
  // Owned pods through the owner index, orphans (adoption candidates) from the namespace.
  std::vector<ObjectPtr> candidates = pods_.by_index(client::kIndexOwnerUid, meta_string(ds, "uid"));
  for (const auto& p : pods_.by_index(client::kIndexNamespace, meta_string(ds, "namespace"))) {
    if (history::controller_of(*p) == nullptr && selector.matches(labels_of(*p))) candidates.push_back(p);
  }
  return history::claim_objects(ctx_.client, client::resources::kPods, ds, "apps/v1", "DaemonSet", selector,
                                candidates,
                                history::fresh_owner_check(ctx_.client, client::resources::kDaemonSets, ds));
}

ds_ns::NodePods DaemonSetController::group_by_node(const std::vector<ObjectPtr>& pods) const {
  ds_ns::NodePods out;
  for (const auto& pod : pods) {
    const std::string phase = history::pod_phase(*pod);
    if ((phase == "Failed" || phase == "Succeeded") && history::being_deleted(*pod)) continue;
    std::string node = ds_ns::target_node_name(*pod);
    if (node.empty()) {
      KITE_LOG(debug, "daemonset-controller") << "daemon pod " << meta_string(*pod, "name") << " names no node";
      continue;
    }
    out[node].push_back(pod);
  }
  for (auto& [node, list] : out) ds_ns::sort_pods(list);
  return out;
}

base::Result<void> DaemonSetController::sync_nodes(const json& ds, const std::vector<std::string>& pods_to_delete,
                                                   const std::vector<std::string>& nodes_to_create,
                                                   const std::string& hash) {
  const std::string key = client::object_key(ds);
  const std::string ns = meta_string(ds, "namespace");
  const int64_t creates = std::min<int64_t>(static_cast<int64_t>(nodes_to_create.size()), kBurstReplicas);
  const int64_t deletes = std::min<int64_t>(static_cast<int64_t>(pods_to_delete.size()), kBurstReplicas);
  expectations_.set(key, creates, deletes);
  base::Status first_error;
  for (int64_t i = 0; i < creates; ++i) {
    json pod = ds_ns::daemon_pod_for_node(ds, hash, nodes_to_create[static_cast<size_t>(i)]);
    auto created = ctx_.client.create(client::resources::kPods, ns, pod);
    if (created) {
      event(ds, "Normal", "SuccessfulCreate", "Created pod: " + meta_string(*created, "name"));
      continue;
    }
    expectations_.creation_observed(key);
    event(ds, "Warning", "FailedCreate", "Error creating: " + created.error().message());
    first_error = created.error();
    // Stop creating after a failure; the pods not attempted are not expected.
    expectations_.lower(key, creates - i - 1, 0);
    break;
  }
  for (int64_t i = 0; i < deletes; ++i) {
    const std::string& name = pods_to_delete[static_cast<size_t>(i)];
    auto r = ctx_.client.remove(client::resources::kPods, ns, name);
    if (r) {
      event(ds, "Normal", "SuccessfulDelete", "Deleted pod: " + name);
      continue;
    }
    expectations_.deletion_observed(key);
    if (r.error().reason() == base::Reason::NotFound) continue;
    event(ds, "Warning", "FailedDelete", "Error deleting: " + r.error().message());
    if (first_error.is_ok()) first_error = r.error();
  }
  if (!first_error.is_ok()) return base::error(first_error);
  return {};
}

base::Result<void> DaemonSetController::update_status(const json& ds, const std::vector<ObjectPtr>& nodes,
                                                      const ds_ns::NodePods& node_pods, const std::string& hash,
                                                      bool observed_generation) {
  auto now = ctx_.clock.now();
  auto c = ds_ns::count_status(ds, nodes, node_pods, hash, now);
  const int64_t min_ready = ds_ns::min_ready_seconds(ds);
  if (min_ready > 0 && c.ready != c.available)
    queue().add_after(client::object_key(ds), std::chrono::seconds(min_ready));

  const json old = ds.contains("status") && ds["status"].is_object() ? ds["status"] : json::object();
  auto num = [&](const json& s, const char* k) {
    return s.contains(k) && s[k].is_number_integer() ? s[k].get<int64_t>() : int64_t{0};
  };
  const int64_t generation = ds["metadata"].value("generation", int64_t{0});
  const std::pair<const char*, int64_t> fields[] = {
      {"desiredNumberScheduled", c.desired}, {"currentNumberScheduled", c.current},
      {"numberMisscheduled", c.misscheduled}, {"numberReady", c.ready},
      {"updatedNumberScheduled", c.updated},  {"numberAvailable", c.available},
      {"numberUnavailable", c.unavailable}};
  bool same = num(old, "observedGeneration") == generation;
  for (const auto& [k, v] : fields) same = same && num(old, k) == v;
  if (same) return {};

  json obj = ds;
  for (int attempt = 0; attempt < 2; ++attempt) {
    json& status = obj["status"];
    if (!status.is_object()) status = json::object();
    if (observed_generation) status["observedGeneration"] = generation;
    for (const auto& [k, v] : fields) status[k] = v;
    auto r = ctx_.client.update(client::resources::kDaemonSets, obj, "status");
    if (r) return {};
    if (r.error().reason() != base::Reason::Conflict) return base::error(r.error());
    auto fresh = ctx_.client.get(client::resources::kDaemonSets, meta_string(ds, "namespace"), meta_string(ds, "name"));
    if (!fresh) return base::error(fresh.error());
    obj = *fresh;
  }
  return base::error(base::Reason::Conflict, "could not update status of DaemonSet " + meta_string(ds, "name"));
}

base::Result<void> DaemonSetController::sync(const std::string& key) {
  ObjectPtr ds_ptr = sets_.get(key);
  if (!ds_ptr) {
    expectations_.forget(key);
    return {};
  }
  const json& ds = *ds_ptr;
  std::vector<ObjectPtr> nodes = nodes_.list();
  const json sel_json = selector_json(ds);
  if (sel_json.is_object() && sel_json.value("matchLabels", json::object()).empty() &&
      sel_json.value("matchExpressions", json::array()).empty()) {
    event(ds, "Warning", "SelectingAll",
                    "This daemon set is selecting all pods. A non-empty selector is required.");
    return {};
  }
  auto selector = api::LabelSelector::from_json(sel_json);
  if (!selector) {
    KITE_LOG(warn, "daemonset-controller") << "DaemonSet " << key << " has a bad selector: "
                                           << selector.error().message();
    return {};
  }
  if (history::being_deleted(ds)) return {};
  // The API server rejects a selector that does not select the template's pods; without that
  // guarantee every sync would create pods it then cannot see.
  const json tmpl_labels =
      labels_of(ds.value("spec", json::object()).value("template", json::object()));
  if (!selector->matches(tmpl_labels)) {
    KITE_LOG(warn, "daemonset-controller") << "DaemonSet " << key << " selector does not match its template labels";
    return {};
  }

  auto pods = claim_pods(ds, *selector);
  if (!pods) return base::error(pods.error());
  auto hist = ds_ns::construct_history(ctx_.client, revisions_, ds, *pods);
  if (!hist) return base::error(hist.error());
  const std::string& hash = hist->hash;
  ds_ns::NodePods node_pods = group_by_node(*pods);

  if (!expectations_.satisfied(key)) return update_status(ds, nodes, node_pods, hash, false);

  auto now = ctx_.clock.now();
  auto plan = ds_ns::plan_manage(ds, nodes, node_pods, hash, backoff_, now);
  for (const auto& msg : plan.failed_pod_messages) event(ds, "Warning", "FailedDaemonPod", msg);
  if (plan.requeue_after) queue().add_after(key, *plan.requeue_after);
  base::Status first_error;
  if (auto r = sync_nodes(ds, plan.pods_to_delete, plan.nodes_needing_pods, hash); !r) first_error = r.error();

  if (first_error.is_ok() && expectations_.satisfied(key) && ds_ns::is_rolling_update(ds)) {
    auto rolling = ds_ns::plan_rolling_update(ds, nodes, node_pods, hash, now);
    if (auto r = sync_nodes(ds, rolling.pods_to_delete, rolling.nodes_to_create, hash); !r) first_error = r.error();
  }
  if (first_error.is_ok()) {
    if (auto r = ds_ns::cleanup_history(ctx_.client, ds, hist->old, *pods); !r) first_error = r.error();
  }
  auto status = update_status(ds, nodes, node_pods, hash, true);
  if (!first_error.is_ok()) return base::error(first_error);
  return status;
}

}  // namespace

std::unique_ptr<Controller> make_daemonset_controller(ControllerContext& ctx) {
  return std::make_unique<DaemonSetController>(ctx);
}

}  // namespace kite::controllers
