// Defaults of the remaining built-in kinds: Secret, PVC, PV, Namespace, Node, Endpoints,
// EndpointSlice, NetworkPolicy, RBAC bindings, HPA, StorageClass, PriorityClass, CRD.
#include <algorithm>
#include <cctype>

#include "api/defaults/kind_defaults.h"

namespace kite::api::defaults {
namespace {

void default_port_protocols(json& ports) {
  if (!ports.is_array()) return;
  for (auto& p : ports) set_default(p, "protocol", "TCP");
}

void default_network_policy(json& obj) {
  json& spec = child_object(obj, "spec");
  bool has_egress = false;
  for (const char* dir : {"ingress", "egress"}) {
    auto rules = spec.find(dir);
    if (rules == spec.end() || !rules->is_array()) continue;
    if (std::string(dir) == "egress" && !rules->empty()) has_egress = true;
    for (auto& r : *rules)
      if (r.is_object() && r.contains("ports")) default_port_protocols(r["ports"]);
  }
  if (!spec.contains("policyTypes") || spec["policyTypes"].is_null() || spec["policyTypes"].empty()) {
    json types = json::array({"Ingress"});
    if (has_egress) types.push_back("Egress");
    spec["policyTypes"] = types;
  }
}

void default_crd(json& obj) {
  json& spec = child_object(obj, "spec");
  json& names = child_object(spec, "names");
  if (names.contains("kind") && names["kind"].is_string()) {
    std::string kind = names["kind"].get<std::string>();
    std::string lower = kind;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    set_default(names, "singular", lower);
    set_default(names, "listKind", kind + "List");
  }
  set_default(child_object(spec, "conversion"), "strategy", "None");
}

}  // namespace

void default_other(const ResourceInfo& info, json& obj) {
  if (!obj.is_object()) return;
  const std::string& k = info.kind;
  const std::string& g = info.group;
  if (g.empty()) {
    if (k == "Secret") {
      set_default(obj, "type", "Opaque");
    } else if (k == "PersistentVolumeClaim") {
      set_default(child_object(obj, "spec"), "volumeMode", "Filesystem");
    } else if (k == "PersistentVolume") {
      json& spec = child_object(obj, "spec");
      set_default(spec, "persistentVolumeReclaimPolicy", "Retain");
      set_default(spec, "volumeMode", "Filesystem");
    } else if (k == "Namespace") {
      set_default(child_object(obj, "spec"), "finalizers", json::array({"kubernetes"}));
      set_default(child_object(obj, "status"), "phase", "Active");
    } else if (k == "Node") {
      if (auto st = obj.find("status"); st != obj.end() && st->is_object() && st->contains("capacity"))
        set_default(*st, "allocatable", (*st)["capacity"]);
    } else if (k == "Endpoints") {
      if (auto subsets = obj.find("subsets"); subsets != obj.end() && subsets->is_array())
        for (auto& s : *subsets)
          if (s.is_object() && s.contains("ports")) default_port_protocols(s["ports"]);
    }
  } else if (g == "discovery.k8s.io" && k == "EndpointSlice") {
    if (auto ports = obj.find("ports"); ports != obj.end()) default_port_protocols(*ports);
  } else if (g == "networking.k8s.io" && k == "NetworkPolicy") {
    default_network_policy(obj);
  } else if (g == "rbac.authorization.k8s.io" && (k == "RoleBinding" || k == "ClusterRoleBinding")) {
    if (auto subjects = obj.find("subjects"); subjects != obj.end() && subjects->is_array())
      for (auto& s : *subjects) {
        if (!s.is_object()) continue;
        std::string sk = s.value("kind", "");
        if (sk == "User" || sk == "Group") set_default(s, "apiGroup", "rbac.authorization.k8s.io");
      }
  } else if (g == "autoscaling" && k == "HorizontalPodAutoscaler") {
    json& spec = child_object(obj, "spec");
    set_default(spec, "minReplicas", 1);
    if (info.version == "v2" && (!spec.contains("metrics") || spec["metrics"].is_null() || spec["metrics"].empty()))
      spec["metrics"] = json::parse(
          R"([{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":80}}}])");
  } else if (g == "storage.k8s.io" && k == "StorageClass") {
    set_default(obj, "reclaimPolicy", "Delete");
    set_default(obj, "volumeBindingMode", "Immediate");
  } else if (g == "scheduling.k8s.io" && k == "PriorityClass") {
    set_default(obj, "preemptionPolicy", "PreemptLowerPriority");
  } else if (g == "apiextensions.k8s.io" && k == "CustomResourceDefinition") {
    default_crd(obj);
  }
}

}  // namespace kite::api::defaults
