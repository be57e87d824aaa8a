// HollowOptions: what a fleet of hollow nodes looks like and how often it heartbeats, and the
// parser of the `kite-hollow-nodes` command line into it.
//
// Hollow nodes are a TEST tool: fake kubelets that register Nodes, renew their Leases, post
// node status and report the pods bound to them as running, without running anything. See
// tools/hollow-nodes/README.md. Plain values and a pure parser; thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace kite::hollow {

struct HollowOptions {
  std::vector<std::string> names;  // the node names, in index order
  std::map<std::string, std::string> labels;  // extra labels on every node
  std::vector<nlohmann::json> taints;         // core/v1 Taint objects
  std::string arch = "amd64";
  std::string cpu = "4";
  std::string memory = "8Gi";
  int pods = 110;
  std::string ephemeral_storage = "100Gi";
  std::string zone;  // topology.kubernetes.io/zone when set
  int lease_duration_seconds = 40;
  std::chrono::milliseconds lease_renew_interval{10'000};
  std::chrono::milliseconds status_interval{60'000};
  bool delete_nodes_on_exit = false;
  // Threads issuing lease renewals, node status and pod status writes.
  int workers = 4;
  // Report bound pods as running (off: nodes only, e.g. to benchmark the scheduler alone).
  bool handle_pods = true;
};

// What the command line asked for.
struct HollowCommand {
  std::string kubeconfig;
  HollowOptions options;
  bool help = false;
  std::string usage;
};

// Parses the arguments after the program name. Errors are BadRequest with a one-line message
// ("--count must be >= 1", "invalid --taint "x": ...").
base::Result<HollowCommand> parse_hollow_command(int argc, const char* const* argv);

// "key=value:Effect" (or "key:Effect") -> a Taint object; BadRequest when malformed or the
// effect is not NoSchedule, PreferNoSchedule or NoExecute.
base::Result<nlohmann::json> parse_taint(const std::string& text);

// True for a resource.Quantity kite-hollow-nodes accepts: "4", "500m", "8Gi", "1.5G".
bool is_quantity(const std::string& text);

}  // namespace kite::hollow
