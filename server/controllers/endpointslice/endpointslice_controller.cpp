#include "server/controllers/endpointslice/endpointslice_controller.h"

#include <charconv>
#include <map>
#include <mutex>

#include "base/log.h"
#include "server/controllers/endpoints/pod_endpoints.h"
#include "server/controllers/endpointslice/slice_reconciler.h"

namespace kite::controllers {

namespace {

namespace res = client::resources;
namespace ep = endpoints;
using client::json;
using client::ObjectPtr;
using namespace endpointslice;

json slice_labels(const json& service) {
  json labels = service["metadata"].value("labels", json::object());
  if (!labels.is_object()) labels = json::object();
  labels.erase("service.kubernetes.io/headless");
  labels[kLabelServiceName] = service["metadata"].value("name", "");
  labels[kLabelManagedBy] = kControllerName;
  if (ep::service_is_headless(service)) labels["service.kubernetes.io/headless"] = "";
  return labels;
}

json endpoint_ports(const json& service, const json& pod) {
  json ports = json::array();
  for (const auto& sp : service["spec"].value("ports", json::array())) {
    auto port = ep::find_port(pod, sp);
    if (!port) continue;
    json p = {{"name", sp.value("name", "")}, {"port", *port}, {"protocol", sp.value("protocol", "TCP")}};
    if (sp.contains("appProtocol")) p["appProtocol"] = sp["appProtocol"];
    ports.push_back(std::move(p));
  }
  return ports;
}

json pod_endpoint(const json& service, const json& pod, const json* node) {
  const json& meta = pod["metadata"];
  const json spec = pod.value("spec", json::object());
  bool serving = ep::pod_is_ready(pod);
  bool terminating = ep::pod_is_terminating(pod);
  bool ready = service["spec"].value("publishNotReadyAddresses", false) || (serving && !terminating);
  json e = {{"addresses", json::array({ep::pod_ip(pod)})},
            {"conditions", {{"ready", ready}, {"serving", serving}, {"terminating", terminating}}},
            {"targetRef",
             {{"kind", "Pod"},
              {"namespace", meta.value("namespace", "")},
              {"name", meta.value("name", "")},
              {"uid", meta.value("uid", "")}}}};
  std::string node_name = spec.value("nodeName", "");
  if (!node_name.empty()) e["nodeName"] = node_name;
  if (node) {
    json labels = (*node)["metadata"].value("labels", json::object());
    if (labels.is_object() && labels.contains("topology.kubernetes.io/zone")) {
      e["zone"] = labels["topology.kubernetes.io/zone"];
    }
  }
  std::string hostname = spec.value("hostname", "");
  if (!hostname.empty() && spec.value("subdomain", "") == service["metadata"].value("name", "") &&
      meta.value("namespace", "") == service["metadata"].value("namespace", "")) {
    e["hostname"] = hostname;
  }
  return e;
}

class EndpointSliceController final : public QueueController {
 public:
  explicit EndpointSliceController(ControllerContext& ctx)
      : QueueController("endpointslice", 2),
        ctx_(ctx),
        services_(ctx.informers.informer(res::kServices)),
        pods_(ctx.informers.informer(res::kPods)),
        nodes_(ctx.informers.informer(res::kNodes)),
        slices_(ctx.informers.informer(res::kEndpointSlices)) {}
  ~EndpointSliceController() override { stop(); }

 protected:
  void register_handlers() override {
    services_.add_handlers(enqueue_handlers());
    client::EventHandlers pod;
    pod.on_add = [this](const ObjectPtr& o) { pod_changed(*o, nullptr); };
    pod.on_update = [this](const ObjectPtr& old, const ObjectPtr& o) { pod_changed(*o, old.get()); };
    pod.on_delete = [this](const ObjectPtr& o) { pod_changed(*o, nullptr); };
    pods_.add_handlers(std::move(pod));
    client::EventHandlers slice;
    slice.on_add = [this](const ObjectPtr& o) { slice_changed(*o); };
    slice.on_update = [this](const ObjectPtr&, const ObjectPtr& o) { slice_changed(*o); };
    slice.on_delete = [this](const ObjectPtr& o) { slice_changed(*o); };
    slices_.add_handlers(std::move(slice));
  }

  std::vector<client::Informer*> informers_to_sync() override { return {&services_, &pods_, &nodes_, &slices_}; }

  base::Result<void> sync(const std::string& key) override {
    auto [ns, name] = client::split_key(key);
    ObjectPtr service = services_.get(key);
    if (!service) {
      std::lock_guard lock(mu_);
      expected_.erase(key);
      return {};  // its slices go with it by garbage collection
    }
    std::vector<json> existing = managed_slices(ns, name);
    if (cache_is_stale(key, existing)) {
      // Our own last writes have not reached the informer yet: acting now would duplicate them.
      return base::error(base::Reason::Conflict, "EndpointSlice cache for Service " + key + " is out of date");
    }
    if ((*service)["spec"].value("type", "") == "ExternalName") {
      for (const auto& s : existing) {
        if (auto r = remove_slice(s); !r) return r;
      }
      return {};
    }
    if (!ep::service_selects_pods(*service)) return {};
    bool publish_not_ready = (*service)["spec"].value("publishNotReadyAddresses", false);
    std::vector<DesiredEndpoint> desired;
    std::string missing_node;
    for (const auto& p : ep::selected_pods(*service, ep::in_namespace(pods_, ns))) {
      const json& pod = *p;
      if (!ep::should_pod_be_in_endpoints(pod, true)) continue;
      std::string node_name = pod.value("spec", json::object()).value("nodeName", "");
      ObjectPtr node = node_name.empty() ? nullptr : nodes_.get(node_name);
      if (!node_name.empty() && !node && !publish_not_ready) {
        missing_node = node_name;  // skipped now, retried later
        continue;
      }
      desired.push_back({endpoint_ports(*service, pod), pod_endpoint(*service, pod, node.get())});
    }
    SlicePlan plan = plan_slices(*service, slice_labels(*service), desired, existing);
    for (const auto& s : plan.creates) {
      auto r = ctx_.client.create(res::kEndpointSlices, ns, s);
      if (!r) return std::unexpected(r.error());
      expect(key, *r, false);
    }
    for (const auto& s : plan.updates) {
      auto r = ctx_.client.update(res::kEndpointSlices, s);
      if (!r) return std::unexpected(r.error());
      expect(key, *r, false);
    }
    for (const auto& s : plan.deletes) {
      if (auto r = remove_slice(s); !r) return r;
      expect(key, s, true);
    }
    if (!missing_node.empty()) {
      return base::error(base::Reason::NotFound, "skipping pods of Service " + key + ": node " + missing_node +
                                                     " not found");
    }
    return {};
  }

 private:
  std::vector<json> managed_slices(const std::string& ns, const std::string& service) {
    std::vector<json> out;
    for (const auto& s : ep::in_namespace(slices_, ns)) {
      json labels = (*s)["metadata"].value("labels", json::object());
      if (labels.value(kLabelServiceName, "") == service && labels.value(kLabelManagedBy, "") == kControllerName) {
        out.push_back(*s);
      }
    }
    std::sort(out.begin(), out.end(), [](const json& a, const json& b) {
      return a["metadata"].value("name", "") < b["metadata"].value("name", "");
    });
    return out;
  }

  base::Result<void> remove_slice(const json& slice) {
    client::DeleteOptions opts;
    opts.precondition_uid = slice["metadata"].value("uid", "");
    auto r = ctx_.client.remove(res::kEndpointSlices, slice["metadata"].value("namespace", ""),
                                slice["metadata"].value("name", ""), opts);
    if (!r && r.error().reason() != base::Reason::NotFound && r.error().reason() != base::Reason::Conflict) {
      return std::unexpected(r.error());
    }
    return {};
  }

  static int64_t resource_version(const json& obj) {
    std::string rv = obj["metadata"].value("resourceVersion", "");
    int64_t v = 0;
    std::from_chars(rv.data(), rv.data() + rv.size(), v);
    return v;
  }

  // Records what the informer must show before the Service is synced again.
  void expect(const std::string& key, const json& slice, bool deleted) {
    std::lock_guard lock(mu_);
    expected_[key][slice["metadata"].value("name", "")] = deleted ? -1 : resource_version(slice);
  }

  bool cache_is_stale(const std::string& key, const std::vector<json>& existing) {
    std::lock_guard lock(mu_);
    auto it = expected_.find(key);
    if (it == expected_.end()) return false;
    for (const auto& [slice_name, rv] : it->second) {
      const json* seen = nullptr;
      for (const auto& s : existing) {
        if (s["metadata"].value("name", "") == slice_name) seen = &s;
      }
      if (rv < 0 ? seen != nullptr : (!seen || resource_version(*seen) < rv)) return true;
    }
    expected_.erase(it);
    return false;
  }

  void pod_changed(const json& pod, const json* old_pod) {
    std::string ns = pod["metadata"].value("namespace", "");
    for (const auto& key : ep::services_selecting(ep::in_namespace(services_, ns), pod, old_pod)) queue().add(key);
  }

  void slice_changed(const json& slice) {
    json labels = slice["metadata"].value("labels", json::object());
    if (labels.value(kLabelManagedBy, "") != kControllerName) return;
    std::string service = labels.value(kLabelServiceName, "");
    if (!service.empty()) queue().add(slice["metadata"].value("namespace", "") + "/" + service);
  }

  ControllerContext& ctx_;
  client::Informer& services_;
  client::Informer& pods_;
  client::Informer& nodes_;
  client::Informer& slices_;
  std::mutex mu_;
  std::map<std::string, std::map<std::string, int64_t>> expected_;  // service -> slice -> rv (-1: deleted)
};

}  // namespace

std::unique_ptr<Controller> make_endpointslice_controller(ControllerContext& ctx) {
  return std::make_unique<EndpointSliceController>(ctx);
}

}  // namespace kite::controllers
