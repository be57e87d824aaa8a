// Which routes to other nodes' pod CIDRs a node needs, and how to get there from the routes
// it has. Pure functions (no I/O), thread-safe.
//
// desired_routes(): for every Node other than `self` with a spec.podCIDR and an InternalIP,
// "<podCIDR> via <InternalIP>". plan_routes(): given the desired set and the kite-marked routes
// currently in the table, the routes to add/replace and the stale ones to delete.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kite::agent::network {

struct Route {
  std::string dst;      // "10.42.1.0/24"
  std::string gateway;  // "172.31.250.11"
  bool operator==(const Route&) const = default;
  auto operator<=>(const Route&) const = default;
};

struct RoutePlan {
  std::vector<Route> replace;  // add or change (NLM_F_REPLACE)
  std::vector<Route> remove;   // stale kite routes
};

// Nodes in wire form; sorted by dst. A node's first IPv4 spec.podCIDRs entry (or spec.podCIDR).
std::vector<Route> desired_routes(const std::vector<nlohmann::json>& nodes, const std::string& self);

RoutePlan plan_routes(const std::vector<Route>& desired, const std::vector<Route>& current);

}  // namespace kite::agent::network
