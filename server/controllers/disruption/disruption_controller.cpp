#include "server/controllers/disruption/disruption_controller.h"

#include "api/selector/label_selector.h"
#include "base/log.h"
#include "server/controllers/disruption/pdb_status.h"

namespace kite::controllers {

namespace {

namespace res = client::resources;
using client::json;
using client::ObjectPtr;
using namespace disruption;

constexpr const char* kLog = "disruption";

const json* controller_of(const json& obj) {
  const json& meta = obj["metadata"];
  auto refs = meta.find("ownerReferences");
  if (refs == meta.end() || !refs->is_array()) return nullptr;
  for (const auto& r : *refs) {
    if (r.value("controller", false)) return &r;
  }
  return nullptr;
}

int64_t replicas_of(const json& obj) {
  const json spec = obj.value("spec", json::object());
  return spec.contains("replicas") && spec["replicas"].is_number_integer() ? spec["replicas"].get<int64_t>() : 1;
}

class DisruptionController final : public QueueController {
 public:
  explicit DisruptionController(ControllerContext& ctx)
      : QueueController("disruption", 2),
        ctx_(ctx),
        pdbs_(ctx.informers.informer(res::kPodDisruptionBudgets)),
        pods_(ctx.informers.informer(res::kPods)),
        replicasets_(ctx.informers.informer(res::kReplicaSets)),
        deployments_(ctx.informers.informer(res::kDeployments)),
        statefulsets_(ctx.informers.informer(res::kStatefulSets)),
        recorder_(ctx.client, {"controllermanager", ""}, ctx.clock) {}
  ~DisruptionController() override { stop(); }

 protected:
  void register_handlers() override {
    client::EventHandlers pdb;
    pdb.on_add = [this](const ObjectPtr& o) { enqueue(o); };
    pdb.on_update = [this](const ObjectPtr&, const ObjectPtr& o) { enqueue(o); };
    pdbs_.add_handlers(std::move(pdb));
    client::EventHandlers pod;
    pod.on_add = [this](const ObjectPtr& o) { pod_changed(*o, nullptr); };
    pod.on_update = [this](const ObjectPtr& old, const ObjectPtr& o) { pod_changed(*o, old.get()); };
    pod.on_delete = [this](const ObjectPtr& o) { pod_changed(*o, nullptr); };
    pods_.add_handlers(std::move(pod));
  }

  std::vector<client::Informer*> informers_to_sync() override {
    return {&pdbs_, &pods_, &replicasets_, &deployments_, &statefulsets_};
  }

  base::Result<void> sync(const std::string& key) override {
    ObjectPtr pdb = pdbs_.get(key);
    if (!pdb) return {};
    auto now = ctx_.clock.now();
    std::string ns = (*pdb)["metadata"].value("namespace", "");
    std::vector<ObjectPtr> pods;
    std::string failure;
    auto selector = api::LabelSelector::from_json((*pdb)["spec"].value("selector", json(nullptr)));
    if (!selector) {
      failure = selector.error().message();
    } else {
      for (const auto& p : pods_.by_index(client::kIndexNamespace, ns)) {
        if (selector->matches((*p)["metadata"].value("labels", json::object()))) pods.push_back(p);
      }
    }
    if (failure.empty() && pods.empty()) recorder_.event(*pdb, "Normal", "NoPods", "No matching pods found");
    PdbCounts counts;
    if (failure.empty()) {
      auto lookup = [this](const std::string& pod_ns, const json& ref) { return scale_of(pod_ns, ref); };
      auto computed = compute_counts(*pdb, pods, lookup, now);
      if (computed) {
        counts = std::move(*computed);
      } else {
        failure = computed.error().message();
        recorder_.event(*pdb, "Warning", "CalculateExpectedPodCountFailed",
                        "Failed to calculate the number of expected pods: " + failure);
      }
    }
    json status = status_for(*pdb, counts, failure, now);
    if (status != pdb->value("status", json::object())) {
      json updated = *pdb;
      updated["status"] = status;
      auto r = ctx_.client.update(res::kPodDisruptionBudgets, updated, "status");
      if (!r) {
        if (r.error().reason() == base::Reason::NotFound) return {};
        return std::unexpected(r.error());
      }
    }
    if (auto expiry = next_expiry(counts.disrupted_pods)) {
      auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(*expiry - now) + std::chrono::milliseconds(10);
      queue().add_after(key, std::max(delay, std::chrono::milliseconds(10)));
    }
    return {};
  }

 private:
  base::Result<std::optional<ControllerScale>> scale_of(const std::string& ns, const json& ref) {
    std::string kind = ref.value("kind", "");
    std::string uid = ref.value("uid", "");
    std::string key = ns + "/" + ref.value("name", "");
    auto matches = [&](const ObjectPtr& o) { return o && (*o)["metadata"].value("uid", "") == uid; };
    if (kind == "ReplicaSet") {
      ObjectPtr rs = replicasets_.get(key);
      if (!matches(rs)) return std::optional<ControllerScale>{};
      const json* owner = controller_of(*rs);
      if (owner && owner->value("kind", "") == "Deployment") {
        ObjectPtr d = deployments_.get(ns + "/" + owner->value("name", ""));
        if (!d || (*d)["metadata"].value("uid", "") != owner->value("uid", "")) return std::optional<ControllerScale>{};
        return std::optional<ControllerScale>{ControllerScale{owner->value("uid", ""), replicas_of(*d)}};
      }
      return std::optional<ControllerScale>{ControllerScale{uid, replicas_of(*rs)}};
    }
    if (kind == "StatefulSet") {
      ObjectPtr s = statefulsets_.get(key);
      if (!matches(s)) return std::optional<ControllerScale>{};
      return std::optional<ControllerScale>{ControllerScale{uid, replicas_of(*s)}};
    }
    return std::optional<ControllerScale>{};
  }

  void pod_changed(const json& pod, const json* old_pod) {
    std::string ns = pod["metadata"].value("namespace", "");
    for (const auto& pdb : pdbs_.by_index(client::kIndexNamespace, ns)) {
      auto sel = api::LabelSelector::from_json((*pdb)["spec"].value("selector", json(nullptr)));
      if (!sel) continue;
      if (sel->matches(pod["metadata"].value("labels", json::object())) ||
          (old_pod && sel->matches((*old_pod)["metadata"].value("labels", json::object())))) {
        enqueue(pdb);
      }
    }
  }

  ControllerContext& ctx_;
  client::Informer& pdbs_;
  client::Informer& pods_;
  client::Informer& replicasets_;
  client::Informer& deployments_;
  client::Informer& statefulsets_;
  client::EventRecorder recorder_;
};

}  // namespace

std::unique_ptr<Controller> make_disruption_controller(ControllerContext& ctx) {
  return std::make_unique<DisruptionController>(ctx);
}

}  // namespace kite::controllers
