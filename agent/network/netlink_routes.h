// IPv4 routes in the main table over rtnetlink (no library, no `ip` binary). Every route kite
// installs carries the protocol number kRouteProtocol, so list_routes() finds exactly kite's
// routes (also the stale ones a previous run left). Each call opens its own NETLINK_ROUTE
// socket in the calling thread's network namespace; thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "agent/network/route_plan.h"
#include "base/status.h"

namespace kite::agent::network {

// rtm_protocol of kite's routes ("kite" in /etc/iproute2/rt_protos terms); unused by the
// well-known routing daemons.
inline constexpr uint8_t kRouteProtocol = 75;

// The main-table IPv4 routes with rtm_protocol == protocol.
base::Result<std::vector<Route>> list_routes(uint8_t protocol = kRouteProtocol);
// RTM_NEWROUTE with NLM_F_CREATE|NLM_F_REPLACE: "<dst> via <gateway> proto <protocol>".
base::Result<void> replace_route(const Route& route, uint8_t protocol = kRouteProtocol);
// RTM_DELROUTE of "<dst> proto <protocol>"; a route already gone is not an error.
base::Result<void> delete_route(const Route& route, uint8_t protocol = kRouteProtocol);

}  // namespace kite::agent::network
