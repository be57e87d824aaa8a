// Service defaults (core/v1 defaulting plus what the service registry fills in on create:
// ipFamilies / ipFamilyPolicy / clusterIPs).
#include "api/defaults/kind_defaults.h"

namespace kite::api::defaults {

void default_service(json& obj) {
  if (!obj.is_object()) return;
  json& spec = child_object(obj, "spec");
  if (!spec.is_object()) return;
  set_default(spec, "type", "ClusterIP");
  set_default(spec, "sessionAffinity", "None");
  std::string type = spec["type"].is_string() ? spec["type"].get<std::string>() : "";
  if (auto ports = spec.find("ports"); ports != spec.end() && ports->is_array()) {
    for (auto& p : *ports) {
      if (!p.is_object()) continue;
      set_default(p, "protocol", "TCP");
      auto tp = p.find("targetPort");
      bool unset = tp == p.end() || tp->is_null() || (tp->is_number() && tp->get<double>() == 0) ||
                   (tp->is_string() && tp->get<std::string>().empty());
      if (unset && p.contains("port")) p["targetPort"] = p["port"];
    }
  }
  if (spec["sessionAffinity"] == "ClientIP") {
    json& cfg = child_object(child_object(spec, "sessionAffinityConfig"), "clientIP");
    set_default(cfg, "timeoutSeconds", 10800);
  }
  if (type == "NodePort" || type == "LoadBalancer") set_default(spec, "externalTrafficPolicy", "Cluster");
  if (type == "LoadBalancer") set_default(spec, "allocateLoadBalancerNodePorts", true);
  if (type != "ExternalName") {
    set_default(spec, "internalTrafficPolicy", "Cluster");
    set_default(spec, "ipFamilyPolicy", "SingleStack");
    set_default(spec, "ipFamilies", json::array({"IPv4"}));
    if (spec.contains("clusterIP") && spec["clusterIP"].is_string() &&
        !spec["clusterIP"].get<std::string>().empty())
      set_default(spec, "clusterIPs", json::array({spec["clusterIP"]}));
  }
}

}  // namespace kite::api::defaults
