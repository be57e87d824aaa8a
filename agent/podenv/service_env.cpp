#include "agent/podenv/service_env.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace kite::agent {

namespace {

using json = nlohmann::json;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string host_port(const std::string& ip, int port) {
  std::string host = ip.find(':') != std::string::npos ? "[" + ip + "]" : ip;
  return host + ":" + std::to_string(port);
}

bool has_cluster_ip(const json& service) {
  std::string ip = service.value("spec", json::object()).value("clusterIP", "");
  return !ip.empty() && ip != "None";
}

}  // namespace

std::string service_env_name(const std::string& service_name) {
  std::string out = upper(service_name);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

std::vector<KeyValue> service_env_vars(const json& service) {
  std::vector<KeyValue> out;
  if (!has_cluster_ip(service)) return out;
  const json spec = service["spec"];
  const std::string ip = spec.value("clusterIP", "");
  const std::string prefix = service_env_name(service["metadata"].value("name", ""));
  const json ports = spec.value("ports", json::array());
  out.push_back({prefix + "_SERVICE_HOST", ip});
  if (ports.empty()) return out;
  out.push_back({prefix + "_SERVICE_PORT", std::to_string(ports[0].value("port", 0))});
  for (const auto& p : ports) {
    if (!p.value("name", "").empty()) {
      out.push_back({prefix + "_SERVICE_PORT_" + service_env_name(p.value("name", "")), std::to_string(p.value("port", 0))});
    }
  }
  for (size_t i = 0; i < ports.size(); ++i) {
    const json& p = ports[i];
    std::string protocol = p.value("protocol", "");
    if (protocol.empty()) protocol = "TCP";
    int port = p.value("port", 0);
    std::string url = lower(protocol) + "://" + host_port(ip, port);
    if (i == 0) out.push_back({prefix + "_PORT", url});  // Docker special-cases the first port
    std::string port_prefix = prefix + "_PORT_" + std::to_string(port) + "_" + upper(protocol);
    out.push_back({port_prefix, url});
    out.push_back({port_prefix + "_PROTO", lower(protocol)});
    out.push_back({port_prefix + "_PORT", std::to_string(port)});
    out.push_back({port_prefix + "_ADDR", ip});
  }
  return out;
}

std::vector<json> services_for_pod(const std::vector<json>& namespace_services, const std::vector<json>& default_services,
                                   const std::string& pod_namespace, bool enable_service_links) {
  std::map<std::string, json> chosen;
  for (const auto& s : default_services) {
    if (has_cluster_ip(s) && s["metadata"].value("name", "") == "kubernetes") chosen["kubernetes"] = s;
  }
  if (enable_service_links) {
    for (const auto& s : namespace_services) {
      if (!has_cluster_ip(s) || s["metadata"].value("namespace", pod_namespace) != pod_namespace) continue;
      chosen[s["metadata"].value("name", "")] = s;
    }
  }
  std::vector<json> out;
  for (auto& [name, s] : chosen) out.push_back(std::move(s));
  return out;
}

bool is_env_var_name(const std::string& name) {
  if (name.empty()) return false;
  auto ok = [](char c, bool first) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
           (!first && std::isdigit(static_cast<unsigned char>(c)));
  };
  if (!ok(name[0], true)) return false;
  return std::all_of(name.begin() + 1, name.end(), [&](char c) { return ok(c, false); });
}

}  // namespace kite::agent
