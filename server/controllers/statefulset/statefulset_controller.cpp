#include "server/controllers/statefulset/statefulset_controller.h"

#include <algorithm>
#include <set>

#include "api/selector/label_selector.h"
#include "base/log.h"
#include "client/resource_ref.h"
#include "server/controllers/history/controller_revisions.h"
#include "server/controllers/history/owner_refs.h"
#include "server/controllers/history/pod_readiness.h"
#include "server/controllers/statefulset/stateful_pod.h"
#include "server/controllers/statefulset/stateful_pod_control.h"
#include "server/controllers/statefulset/stateful_set_control.h"

namespace kite::controllers {

namespace {

using client::ObjectPtr;
using history::meta_string;
using json = nlohmann::json;
namespace sts = statefulset;

json labels_of(const json& obj) {
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object() || !m->contains("labels") || !(*m)["labels"].is_object())
    return json::object();
  return (*m)["labels"];
}

class StatefulSetController final : public QueueController {
 public:
  explicit StatefulSetController(ControllerContext& ctx)
      : QueueController("statefulset-controller", 2),
        ctx_(ctx),
        sets_(ctx.informers.informer(client::resources::kStatefulSets)),
        pods_(ctx.informers.informer(client::resources::kPods)),
        claims_(ctx.informers.informer(client::resources::kPersistentVolumeClaims)),
        revisions_(ctx.informers.informer(client::resources::kControllerRevisions)),
        recorder_(ctx.client, client::EventSource{"statefulset-controller", ""}, ctx.clock),
        pod_control_(ctx.client, claims_, recorder_) {
    // The indexes sync() reads (re-adding an index another controller added is harmless).
    sets_.add_index(client::kIndexNamespace, client::index_by_namespace);
    pods_.add_index(client::kIndexNamespace, client::index_by_namespace);
    revisions_.add_index(client::kIndexOwnerUid, client::index_by_owner_uid);
  }

 protected:
  void register_handlers() override {
    sets_.add_handlers(enqueue_handlers());
    pods_.add_handlers({
        [this](const ObjectPtr& p) { on_pod_add(p); },
        [this](const ObjectPtr& o, const ObjectPtr& p) { on_pod_update(o, p); },
        [this](const ObjectPtr& p) { enqueue_owner(*p); },
    });
  }

  std::vector<client::Informer*> informers_to_sync() override { return {&sets_, &pods_, &claims_, &revisions_}; }

  base::Result<void> sync(const std::string& key) override;

 private:
  // The set controlling `pod` (by controller ownerReference), or null.
  ObjectPtr owner_of(const json& pod) const {
    const json* ref = history::controller_of(pod);
    if (ref == nullptr || ref->value("kind", "") != "StatefulSet") return nullptr;
    auto set = sets_.get(meta_string(pod, "namespace") + "/" + ref->value("name", ""));
    if (!set || meta_string(*set, "uid") != ref->value("uid", "")) return nullptr;
    return set;
  }
  void enqueue_owner(const json& pod) {
    if (auto set = owner_of(pod)) enqueue(set);
  }
  void enqueue_matching_sets(const json& pod) {
    json labels = labels_of(pod);
    for (const auto& set : sets_.by_index(client::kIndexNamespace, meta_string(pod, "namespace"))) {
      auto sel = api::LabelSelector::from_json(set->value("spec", json::object()).value("selector", json()));
      if (sel && !sel->empty() && sel->matches(labels) && sts::is_member_of(*set, pod)) enqueue(set);
    }
  }
  void on_pod_add(const ObjectPtr& pod) {
    if (history::controller_of(*pod) != nullptr)
      enqueue_owner(*pod);
    else if (!history::being_deleted(*pod))
      enqueue_matching_sets(*pod);
  }
  void on_pod_update(const ObjectPtr& old_pod, const ObjectPtr& pod) {
    if (meta_string(*old_pod, "resourceVersion") == meta_string(*pod, "resourceVersion")) return;
    const json* old_ref = history::controller_of(*old_pod);
    const json* new_ref = history::controller_of(*pod);
    if (old_ref != nullptr && (new_ref == nullptr || old_ref->value("uid", "") != new_ref->value("uid", "")))
      enqueue_owner(*old_pod);
    if (new_ref != nullptr) {
      auto set = owner_of(*pod);
      if (!set) return;
      enqueue(set);
      int64_t min_ready = sts::min_ready_seconds(*set);
      if (min_ready > 0 && !history::is_pod_ready(*old_pod) && history::is_pod_ready(*pod))
        queue().add_after(client::object_key(*set), std::chrono::seconds(min_ready));
      return;
    }
    if (labels_of(*old_pod) != labels_of(*pod) || history::controller_of(*old_pod) != nullptr)
      enqueue_matching_sets(*pod);
  }

  struct Revisions {
    json current;
    json update;
    int64_t collision_count = 0;
  };
  base::Result<Revisions> revisions_of(const json& set, const std::vector<ObjectPtr>& revisions);
  base::Result<void> write_status(const json& set, const json& status);
  base::Result<void> truncate_history(const json& set, const std::vector<ObjectPtr>& pods,
                                      const std::vector<ObjectPtr>& revisions, const Revisions& current);

  ControllerContext& ctx_;
  client::Informer& sets_;
  client::Informer& pods_;
  client::Informer& claims_;
  client::Informer& revisions_;
  client::EventRecorder recorder_;
  sts::StatefulPodControl pod_control_;
};

base::Result<StatefulSetController::Revisions> StatefulSetController::revisions_of(
    const json& set, const std::vector<ObjectPtr>& revisions) {
  Revisions out;
  if (set.contains("status") && set["status"].is_object())
    out.collision_count = set["status"].value("collisionCount", int64_t{0});
  json tmpl_labels = json::object();
  if (auto t = set["spec"].find("template"); t != set["spec"].end() && t->is_object()) tmpl_labels = labels_of(*t);
  json update = history::new_revision(set, "apps/v1", "StatefulSet", tmpl_labels, history::template_patch(set),
                                      history::next_revision(revisions), out.collision_count);
  if (auto a = set["metadata"].find("annotations"); a != set["metadata"].end() && a->is_object())
    update["metadata"]["annotations"] = *a;

  std::vector<ObjectPtr> equal;
  for (const auto& r : revisions) {
    if (history::equal_revision(*r, update)) equal.push_back(r);
  }
  if (!equal.empty() && history::equal_revision(*revisions.back(), *equal.back())) {
    out.update = *revisions.back();
  } else if (!equal.empty()) {
    auto r = history::update_revision_number(ctx_.client, *equal.back(), history::revision_number(update));
    if (!r) return base::error(r.error());
    out.update = *r;
  } else {
    auto r = history::create_revision(ctx_.client, set, update, &out.collision_count);
    if (!r) return base::error(r.error());
    out.update = *r;
  }
  std::string current_name;
  if (set.contains("status") && set["status"].is_object()) current_name = set["status"].value("currentRevision", "");
  for (const auto& r : revisions) {
    if (meta_string(*r, "name") == current_name) out.current = *r;
  }
  if (out.current.is_null()) out.current = out.update;
  return out;
}

base::Result<void> StatefulSetController::write_status(const json& set, const json& status) {
  json obj = set;
  for (int attempt = 0; attempt < 3; ++attempt) {
    obj["status"] = status;
    auto r = ctx_.client.update(client::resources::kStatefulSets, obj, "status");
    if (r) return {};
    if (r.error().reason() != base::Reason::Conflict) return base::error(r.error());
    auto fresh = ctx_.client.get(client::resources::kStatefulSets, meta_string(set, "namespace"),
                                 meta_string(set, "name"));
    if (!fresh) return base::error(fresh.error());
    obj = *fresh;
  }
  return base::error(base::Reason::Conflict, "could not update status of StatefulSet " + meta_string(set, "name"));
}

base::Result<void> StatefulSetController::truncate_history(const json& set, const std::vector<ObjectPtr>& pods,
                                                           const std::vector<ObjectPtr>& revisions,
                                                           const Revisions& current) {
  std::set<std::string> live = {meta_string(current.current, "name"), meta_string(current.update, "name")};
  for (const auto& p : pods) live.insert(sts::pod_revision(*p));
  std::vector<ObjectPtr> old;
  for (const auto& r : revisions) {
    if (!live.contains(meta_string(*r, "name"))) old.push_back(r);
  }
  int64_t limit = sts::revision_history_limit(set);
  if (static_cast<int64_t>(old.size()) <= limit) return {};
  old.resize(old.size() - static_cast<size_t>(limit));
  for (const auto& r : old) {
    if (auto d = history::delete_revision(ctx_.client, *r); !d) return d;
  }
  return {};
}

base::Result<void> StatefulSetController::sync(const std::string& key) {
  ObjectPtr set_ptr = sets_.get(key);
  if (!set_ptr) return {};
  const json& set = *set_ptr;
  const json spec = set.value("spec", json::object());
  auto selector = api::LabelSelector::from_json(spec.value("selector", json()));
  if (!selector) {
    KITE_LOG(warn, "statefulset-controller") << "StatefulSet " << key << " has a bad selector: "
                                                << selector.error().message();
    return {};
  }
  const std::string ns = meta_string(set, "namespace");

  std::vector<ObjectPtr> candidates;
  for (auto& p : pods_.by_index(client::kIndexNamespace, ns)) {
    if (sts::is_member_of(set, *p)) candidates.push_back(p);
  }
  auto pods = history::claim_objects(ctx_.client, client::resources::kPods, set, "apps/v1", "StatefulSet", *selector,
                                     candidates,
                                     history::fresh_owner_check(ctx_.client, client::resources::kStatefulSets, set));
  if (!pods) return base::error(pods.error());

  auto revisions = history::sorted_by_revision(history::controlled_revisions(revisions_, set));
  auto revs = revisions_of(set, revisions);
  if (!revs) return base::error(revs.error());

  auto pass = sts::update_stateful_set(pod_control_, set, revs->current, revs->update, revs->collision_count, *pods,
                                       ctx_.clock.now());
  base::Status status_error;
  json to_store = sts::status_to_store(set, pass.status);
  if (!to_store.is_null()) {
    if (auto w = write_status(set, to_store); !w) status_error = w.error();
  }
  // Revisions created by this pass are not in the cache yet: count them in.
  auto all_revisions = revisions;
  for (const json* r : {&revs->current, &revs->update}) {
    bool known = std::any_of(all_revisions.begin(), all_revisions.end(),
                             [&](const ObjectPtr& x) { return meta_string(*x, "name") == meta_string(*r, "name"); });
    if (!known) all_revisions.push_back(std::make_shared<json>(*r));
  }
  all_revisions = history::sorted_by_revision(all_revisions);
  if (pass.error.is_ok() && status_error.is_ok()) {
    if (auto t = truncate_history(set, *pods, all_revisions, *revs); !t) return t;
  }
  int64_t min_ready = sts::min_ready_seconds(set);
  if (min_ready > 0 && pass.status["readyReplicas"] != pass.status["availableReplicas"])
    queue().add_after(key, std::chrono::seconds(min_ready));
  if (!pass.error.is_ok()) return base::error(pass.error);
  if (!status_error.is_ok()) return base::error(status_error);
  return {};
}

}  // namespace

std::unique_ptr<Controller> make_statefulset_controller(ControllerContext& ctx) {
  return std::make_unique<StatefulSetController>(ctx);
}

}  // namespace kite::controllers
