// AgentConfig: everything `kite agent` is told on its command line, in its environment or in
// its config file, with k3s's flag names and defaults, and the function registering those flags.
// Plain data; register_agent_flags binds the FlagSet to one AgentConfig (single thread).
#pragma once

#include <string>
#include <vector>

#include "base/flags.h"
#include "base/status.h"

namespace kite::agent {

struct AgentConfig {
  std::string config_file = "/etc/kite/config.yaml";
  std::string server;      // --server / KITE_URL
  std::string token;       // --token / KITE_TOKEN
  std::string token_file;  // --token-file / KITE_TOKEN_FILE
  std::string data_dir = "/var/lib/kite";
  std::string node_name;  // default: hostname
  bool with_node_id = false;
  std::string node_ip;
  std::vector<std::string> node_label;
  std::vector<std::string> node_taint;
  std::string container_runtime_endpoint;  // "" = run containerd ourselves
  std::vector<std::string> kubelet_arg;    // key=value, see supported_kubelet_args
  std::string pause_image;  // "" = the supervised containerd's default (kite.local/pause:3.10)
  std::string private_registry = "/etc/kite/registries.yaml";
  std::string cluster_dns = "10.43.0.10";
  std::string cluster_domain = "cluster.local";
  std::string cluster_cidr = "10.42.0.0/16";
  std::string log_root = "/var/log/pods";
  // "host-gw" (default: CNI bridge + routes to other nodes' podCIDRs + masquerade) or "none"
  // (kite manages no pod network: bring your own CNI config), as k3s's --flannel-backend.
  std::string flannel_backend = "host-gw";
  bool debug = false;
  std::string debug_node_arch;  // test only
  std::string debug_containerd_state_dir;  // test only ("" = ContainerdOptions' default)
};

// Registers every `kite agent` flag on `flags`, bound to `config`.
void register_agent_flags(base::FlagSet& flags, AgentConfig& config);

// The --kubelet-arg keys kite understands ("max-pods", ...). Others are refused.
const std::vector<std::string>& supported_kubelet_args();

// Settled values after parsing: the token from --token-file when --token is empty, the node
// name (hostname when empty; "-<random id>" appended with --with-node-id, stored in
// <data-dir>/agent/node-id so it is stable), lower-cased. Checks required flags, labels,
// taints, --kubelet-arg keys, --debug-node-arch. Errors are BadRequest with one-line messages.
base::Result<AgentConfig> resolve_agent_config(AgentConfig config);

}  // namespace kite::agent
