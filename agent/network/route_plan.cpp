#include "agent/network/route_plan.h"

#include <algorithm>
#include <map>

namespace kite::agent::network {
namespace {

bool is_ipv4(const std::string& s) { return !s.empty() && s.find(':') == std::string::npos; }

std::string pod_cidr_of(const nlohmann::json& node) {
  const auto& spec = node.value("spec", nlohmann::json::object());
  if (auto it = spec.find("podCIDRs"); it != spec.end() && it->is_array()) {
    for (const auto& c : *it)
      if (c.is_string() && is_ipv4(c.get<std::string>())) return c.get<std::string>();
  }
  std::string single = spec.value("podCIDR", "");
  return is_ipv4(single) ? single : "";
}

std::string internal_ip_of(const nlohmann::json& node) {
  const auto& status = node.value("status", nlohmann::json::object());
  auto it = status.find("addresses");
  if (it == status.end() || !it->is_array()) return "";
  for (const auto& a : *it) {
    if (a.value("type", "") == "InternalIP" && is_ipv4(a.value("address", ""))) return a.value("address", "");
  }
  return "";
}

}  // namespace

std::vector<Route> desired_routes(const std::vector<nlohmann::json>& nodes, const std::string& self) {
  std::map<std::string, std::string> by_dst;
  for (const auto& n : nodes) {
    if (!n.is_object()) continue;
    std::string name = n.value("metadata", nlohmann::json::object()).value("name", "");
    if (name == self) continue;
    std::string cidr = pod_cidr_of(n);
    std::string ip = internal_ip_of(n);
    if (cidr.empty() || ip.empty()) continue;
    by_dst[cidr] = ip;  // a duplicated CIDR (should not happen) keeps the last node's
  }
  std::vector<Route> out;
  for (auto& [dst, gw] : by_dst) out.push_back({dst, gw});
  return out;
}

RoutePlan plan_routes(const std::vector<Route>& desired, const std::vector<Route>& current) {
  RoutePlan plan;
  std::map<std::string, std::string> have;
  for (const auto& r : current) have[r.dst] = r.gateway;
  std::map<std::string, bool> wanted;
  for (const auto& r : desired) {
    wanted[r.dst] = true;
    auto it = have.find(r.dst);
    if (it == have.end() || it->second != r.gateway) plan.replace.push_back(r);
  }
  for (const auto& r : current)
    if (!wanted.count(r.dst)) plan.remove.push_back(r);
  std::sort(plan.replace.begin(), plan.replace.end());
  std::sort(plan.remove.begin(), plan.remove.end());
  return plan;
}

}  // namespace kite::agent::network
