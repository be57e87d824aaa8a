#include "server/controllers/endpoints/pod_endpoints.h"

#include "api/selector/label_selector.h"

namespace kite::controllers::endpoints {

namespace {

const json& field(const json& obj, const char* name) {
  static const json null_json;
  if (!obj.is_object()) return null_json;
  auto it = obj.find(name);
  return it == obj.end() ? null_json : *it;
}

const json& meta_labels(const json& obj) { return field(field(obj, "metadata"), "labels"); }

}  // namespace

bool pod_is_terminal(const json& pod) {
  const json& phase = field(field(pod, "status"), "phase");
  return phase == "Succeeded" || phase == "Failed";
}

bool pod_is_ready(const json& pod) {
  const json& conds = field(field(pod, "status"), "conditions");
  if (!conds.is_array()) return false;
  for (const auto& c : conds) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

bool pod_is_terminating(const json& pod) {
  const json& ts = field(field(pod, "metadata"), "deletionTimestamp");
  return !ts.is_null();
}

std::string pod_ip(const json& pod) {
  const json& status = field(pod, "status");
  const json& ip = field(status, "podIP");
  if (ip.is_string() && !ip.get<std::string>().empty()) return ip.get<std::string>();
  const json& ips = field(status, "podIPs");
  if (ips.is_array() && !ips.empty() && ips[0].is_object()) return ips[0].value("ip", "");
  return "";
}

bool should_pod_be_in_endpoints(const json& pod, bool include_terminating) {
  if (pod_is_terminal(pod)) return false;
  if (pod_ip(pod).empty()) return false;
  if (!include_terminating && pod_is_terminating(pod)) return false;
  return true;
}

std::optional<int> find_port(const json& pod, const json& service_port) {
  const json& target = field(service_port, "targetPort");
  if (target.is_number_integer()) return target.get<int>();
  if (target.is_null() || (target.is_string() && target.get<std::string>().empty())) {
    return service_port.value("port", 0);
  }
  if (!target.is_string()) return std::nullopt;
  std::string name = target.get<std::string>();
  std::string protocol = service_port.value("protocol", "TCP");
  const json& containers = field(field(pod, "spec"), "containers");
  if (!containers.is_array()) return std::nullopt;
  for (const auto& c : containers) {
    const json& ports = field(c, "ports");
    if (!ports.is_array()) continue;
    for (const auto& p : ports) {
      if (p.value("name", "") == name && p.value("protocol", "TCP") == protocol) return p.value("containerPort", 0);
    }
  }
  return std::nullopt;
}

bool service_selects_pods(const json& service) {
  const json& spec = field(service, "spec");
  if (spec.value("type", "") == "ExternalName") return false;
  const json& sel = field(spec, "selector");
  return sel.is_object() && !sel.empty();
}

bool service_is_headless(const json& service) {
  const json& ip = field(field(service, "spec"), "clusterIP");
  return ip == "None";
}

std::vector<client::ObjectPtr> selected_pods(const json& service, const std::vector<client::ObjectPtr>& namespace_pods) {
  std::vector<client::ObjectPtr> out;
  if (!service_selects_pods(service)) return out;
  auto sel = api::LabelSelector::from_set(field(field(service, "spec"), "selector"));
  for (const auto& p : namespace_pods) {
    if (sel.matches(meta_labels(*p))) out.push_back(p);
  }
  return out;
}

std::vector<std::string> services_selecting(const std::vector<client::ObjectPtr>& services, const json& pod,
                                            const json* old_pod) {
  std::vector<std::string> out;
  for (const auto& s : services) {
    if (!service_selects_pods(*s)) continue;
    auto sel = api::LabelSelector::from_set(field(field(*s, "spec"), "selector"));
    if (sel.matches(meta_labels(pod)) || (old_pod && sel.matches(meta_labels(*old_pod)))) {
      out.push_back(client::object_key(*s));
    }
  }
  return out;
}

std::vector<client::ObjectPtr> in_namespace(const client::Informer& informer, const std::string& ns) {
  return informer.by_index(client::kIndexNamespace, ns);
}

}  // namespace kite::controllers::endpoints
