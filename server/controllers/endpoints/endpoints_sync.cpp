#include "server/controllers/endpoints/endpoints_sync.h"

#include <algorithm>
#include <map>

namespace kite::controllers::endpoints {

namespace {

json endpoint_address(const json& service, const json& pod) {
  const json& meta = pod["metadata"];
  json addr = {{"ip", pod_ip(pod)}};
  const json& spec = pod.contains("spec") ? pod["spec"] : json::object();
  std::string hostname = spec.value("hostname", "");
  if (!hostname.empty() && spec.value("subdomain", "") == service["metadata"].value("name", "") &&
      meta.value("namespace", "") == service["metadata"].value("namespace", "")) {
    addr["hostname"] = hostname;
  }
  std::string node = spec.value("nodeName", "");
  if (!node.empty()) addr["nodeName"] = node;
  addr["targetRef"] = {{"kind", "Pod"},
                       {"namespace", meta.value("namespace", "")},
                       {"name", meta.value("name", "")},
                       {"uid", meta.value("uid", "")}};
  return addr;
}

struct Group {
  json ports;
  std::vector<json> ready;
  std::vector<json> not_ready;
};

bool by_ip(const json& a, const json& b) {
  std::string ia = a.value("ip", ""), ib = b.value("ip", "");
  if (ia != ib) return ia < ib;
  return a["targetRef"].value("uid", "") < b["targetRef"].value("uid", "");
}

}  // namespace

json desired_subsets(const json& service, const std::vector<client::ObjectPtr>& pods) {
  const json& spec = service["spec"];
  bool publish_not_ready = spec.value("publishNotReadyAddresses", false);
  json service_ports = spec.value("ports", json::array());
  bool headless = service_is_headless(service);
  std::map<std::string, Group> groups;  // by the dumped port list
  for (const auto& p : pods) {
    const json& pod = *p;
    if (!should_pod_be_in_endpoints(pod, publish_not_ready)) continue;
    json ports = json::array();
    if (service_ports.empty()) {
      if (!headless) continue;  // only headless Services may go without ports
    } else {
      for (const auto& sp : service_ports) {
        auto port = find_port(pod, sp);
        if (!port) continue;
        json ep = {{"port", *port}, {"protocol", sp.value("protocol", "TCP")}};
        if (!sp.value("name", "").empty()) ep["name"] = sp["name"];
        if (sp.contains("appProtocol")) ep["appProtocol"] = sp["appProtocol"];
        ports.push_back(std::move(ep));
      }
      if (ports.empty()) continue;
    }
    auto& g = groups[ports.dump()];
    g.ports = ports;
    if (publish_not_ready || pod_is_ready(pod)) {
      g.ready.push_back(endpoint_address(service, pod));
    } else {
      g.not_ready.push_back(endpoint_address(service, pod));
    }
  }
  json subsets = json::array();
  for (auto& [key, g] : groups) {
    std::sort(g.ready.begin(), g.ready.end(), by_ip);
    std::sort(g.not_ready.begin(), g.not_ready.end(), by_ip);
    json subset = json::object();
    if (!g.ready.empty()) subset["addresses"] = g.ready;
    if (!g.not_ready.empty()) subset["notReadyAddresses"] = g.not_ready;
    if (!g.ports.empty()) subset["ports"] = g.ports;
    subsets.push_back(std::move(subset));
  }
  return subsets;
}

json desired_labels(const json& service) {
  json labels = service["metadata"].value("labels", json::object());
  if (!labels.is_object()) labels = json::object();
  if (service_is_headless(service)) {
    labels["service.kubernetes.io/headless"] = "";
  } else {
    labels.erase("service.kubernetes.io/headless");
  }
  return labels;
}

}  // namespace kite::controllers::endpoints
