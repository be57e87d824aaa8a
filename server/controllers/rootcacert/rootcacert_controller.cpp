#include "server/controllers/rootcacert/rootcacert_controller.h"

namespace kite::controllers {

namespace {

namespace res = client::resources;
using client::json;
using client::ObjectPtr;

constexpr const char* kDescriptionAnnotation = "kubernetes.io/description";
constexpr const char* kDescription =
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the "
    "internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes "
    "clusters.";

class RootCaCertController final : public QueueController {
 public:
  explicit RootCaCertController(ControllerContext& ctx)
      : QueueController("rootcacert", 1),
        ctx_(ctx),
        namespaces_(ctx.informers.informer(res::kNamespaces)),
        config_maps_(ctx.informers.informer(res::kConfigMaps)) {}
  ~RootCaCertController() override { stop(); }

 protected:
  void register_handlers() override {
    namespaces_.add_handlers(enqueue_handlers());  // a deleted namespace syncs to nothing
    auto ours = [this](const ObjectPtr& o) {
      if ((*o)["metadata"].value("name", "") == kRootCaConfigMapName) queue().add((*o)["metadata"].value("namespace", ""));
    };
    client::EventHandlers cm;
    cm.on_update = [ours](const ObjectPtr&, const ObjectPtr& o) { ours(o); };
    cm.on_delete = ours;
    config_maps_.add_handlers(std::move(cm));
  }

  std::vector<client::Informer*> informers_to_sync() override { return {&namespaces_, &config_maps_}; }

  base::Result<void> sync(const std::string& ns) override {
    const std::string& pem = ctx_.settings.root_ca_pem;
    if (pem.empty()) return {};
    ObjectPtr namespace_obj = namespaces_.get(ns);
    if (!namespace_obj) return {};
    if ((*namespace_obj)["metadata"].contains("deletionTimestamp") ||
        namespace_obj->value("status", json::object()).value("phase", "") == "Terminating") {
      return {};
    }
    const json data = {{"ca.crt", pem}};
    ObjectPtr existing = config_maps_.get(ns + "/" + kRootCaConfigMapName);
    if (!existing) {
      json cm = {{"apiVersion", "v1"},
                 {"kind", "ConfigMap"},
                 {"metadata",
                  {{"name", kRootCaConfigMapName},
                   {"namespace", ns},
                   {"annotations", {{kDescriptionAnnotation, kDescription}}}}},
                 {"data", data}};
      auto r = ctx_.client.create(res::kConfigMaps, ns, cm);
      if (!r) {
        auto reason = r.error().reason();
        // Already there (the cache lags: the update handler comes next), or the namespace
        // is going away.
        if (reason == base::Reason::AlreadyExists || reason == base::Reason::Forbidden ||
            reason == base::Reason::NotFound) {
          return {};
        }
        return std::unexpected(r.error());
      }
      return {};
    }
    const json& meta = (*existing)["metadata"];
    bool described = meta.contains("annotations") && meta["annotations"].is_object() &&
                     !meta["annotations"].value(kDescriptionAnnotation, "").empty();
    if (existing->value("data", json::object()) == data && !existing->contains("binaryData") && described) return {};
    json updated = *existing;
    updated["data"] = data;
    updated.erase("binaryData");
    if (!updated["metadata"].contains("annotations") || !updated["metadata"]["annotations"].is_object()) {
      updated["metadata"]["annotations"] = json::object();
    }
    updated["metadata"]["annotations"][kDescriptionAnnotation] = kDescription;
    auto r = ctx_.client.update(res::kConfigMaps, updated);
    if (!r && r.error().reason() != base::Reason::NotFound) return std::unexpected(r.error());  // Conflict: retried
    return {};
  }

 private:
  ControllerContext& ctx_;
  client::Informer& namespaces_;
  client::Informer& config_maps_;
};

}  // namespace

std::unique_ptr<Controller> make_rootcacert_controller(ControllerContext& ctx) {
  return std::make_unique<RootCaCertController>(ctx);
}

}  // namespace kite::controllers
