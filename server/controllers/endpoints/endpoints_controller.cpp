#include "server/controllers/endpoints/endpoints_controller.h"

#include "server/controllers/endpoints/endpoints_sync.h"

namespace kite::controllers {

namespace {

namespace res = client::resources;
using client::json;
using client::ObjectPtr;

class EndpointsController final : public QueueController {
 public:
  explicit EndpointsController(ControllerContext& ctx)
      : QueueController("endpoints", 2),
        ctx_(ctx),
        services_(ctx.informers.informer(res::kServices)),
        pods_(ctx.informers.informer(res::kPods)),
        endpoints_(ctx.informers.informer(res::kEndpoints)) {}
  ~EndpointsController() override { stop(); }

 protected:
  void register_handlers() override {
    services_.add_handlers(enqueue_handlers());
    client::EventHandlers pod;
    pod.on_add = [this](const ObjectPtr& o) { pod_changed(*o, nullptr); };
    pod.on_update = [this](const ObjectPtr& old, const ObjectPtr& o) { pod_changed(*o, old.get()); };
    pod.on_delete = [this](const ObjectPtr& o) { pod_changed(*o, nullptr); };
    pods_.add_handlers(std::move(pod));
    client::EventHandlers ep;
    ep.on_delete = [this](const ObjectPtr& o) {
      if (services_.get(client::object_key(*o))) enqueue(o);
    };
    endpoints_.add_handlers(std::move(ep));
  }

  std::vector<client::Informer*> informers_to_sync() override { return {&services_, &pods_, &endpoints_}; }

  base::Result<void> sync(const std::string& key) override {
    auto [ns, name] = client::split_key(key);
    ObjectPtr service = services_.get(key);
    if (!service) {
      auto r = ctx_.client.remove(res::kEndpoints, ns, name);
      if (!r && r.error().reason() != base::Reason::NotFound) return std::unexpected(r.error());
      return {};
    }
    if (!endpoints::service_selects_pods(*service)) return {};
    auto pods = endpoints::selected_pods(*service, endpoints::in_namespace(pods_, ns));
    json subsets = endpoints::desired_subsets(*service, pods);
    json labels = endpoints::desired_labels(*service);
    ObjectPtr current = endpoints_.get(key);
    if (current) {
      const json& meta = (*current)["metadata"];
      json cur_subsets = current->value("subsets", json::array());
      json cur_labels = meta.value("labels", json::object());
      if (cur_subsets == subsets && cur_labels == labels) return {};
      json updated = *current;
      updated["metadata"]["labels"] = labels;
      if (subsets.empty()) {
        updated.erase("subsets");
      } else {
        updated["subsets"] = subsets;
      }
      auto r = ctx_.client.update(res::kEndpoints, updated);
      if (!r) return std::unexpected(r.error());
      return {};
    }
    json obj = {{"apiVersion", "v1"},
                {"kind", "Endpoints"},
                {"metadata", {{"name", name}, {"namespace", ns}, {"labels", labels}}}};
    if (!subsets.empty()) obj["subsets"] = subsets;
    auto r = ctx_.client.create(res::kEndpoints, ns, obj);
    if (!r) return std::unexpected(r.error());
    return {};
  }

 private:
  void pod_changed(const json& pod, const json* old_pod) {
    std::string ns = pod["metadata"].value("namespace", "");
    for (const auto& key : endpoints::services_selecting(endpoints::in_namespace(services_, ns), pod, old_pod)) {
      queue().add(key);
    }
  }

  ControllerContext& ctx_;
  client::Informer& services_;
  client::Informer& pods_;
  client::Informer& endpoints_;
};

}  // namespace

std::unique_ptr<Controller> make_endpoints_controller(ControllerContext& ctx) {
  return std::make_unique<EndpointsController>(ctx);
}

}  // namespace kite::controllers
