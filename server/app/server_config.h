// ServerConfig: everything `kite server` is told on its command line or in its config file,
// with k3s's flag names and defaults, and the function that registers those flags.
#pragma once

#include <string>
#include <vector>

#include "base/flags.h"
#include "base/status.h"

namespace kite::serverapp {

struct ServerConfig {
  std::string config_file = "/etc/kite/config.yaml";
  std::string data_dir = "/var/lib/kite";
  std::string bind_address = "0.0.0.0";
  int https_listen_port = 6443;
  std::string advertise_address;
  std::vector<std::string> tls_san;
  std::string write_kubeconfig = "/etc/kite/kite.yaml";
  std::string write_kubeconfig_mode = "0600";
  std::string datastore_endpoint;
  std::string datastore_cafile, datastore_certfile, datastore_keyfile;
  std::string token;
  std::string agent_token;
  bool disable_agent = false;
  bool disable_scheduler = false;
  bool disable_controller_manager = false;
  // "key=value" settings for the controllers (k3s's --kube-controller-manager-arg), e.g.
  // node-monitor-grace-period=20s; see controller_settings().
  std::vector<std::string> kube_controller_manager_arg;
  std::string cluster_cidr = "10.42.0.0/16";
  std::string service_cidr = "10.43.0.0/16";
  std::string cluster_dns = "10.43.0.10";
  std::string cluster_domain = "cluster.local";
  std::string node_name;
  // The embedded agent (unless --disable-agent): same meaning as `kite agent`'s flags.
  std::string node_ip;
  std::vector<std::string> node_label;
  std::vector<std::string> node_taint;
  std::string container_runtime_endpoint;
  std::string flannel_backend = "host-gw";  // or "none"
  std::vector<std::string> kubelet_arg;
  std::string pause_image;
  std::string private_registry = "/etc/kite/registries.yaml";
  std::string log_root = "/var/log/pods";
  std::string debug_node_arch;             // test only
  std::string debug_containerd_state_dir;  // test only
  std::string token_auth_file;  // static bearer tokens (Kubernetes token-auth-file CSV)
  bool debug = false;
};

// Registers every `kite server` flag on `flags`, bound to `config`.
void register_server_flags(base::FlagSet& flags, ServerConfig& config);

// Checks values that flags cannot check by type: CIDRs, ports, endpoint URLs, file modes.
base::Result<void> validate_server_config(const ServerConfig& config);

// The first usable address of an IPv4 CIDR ("10.43.0.0/16" -> "10.43.0.1"); BadRequest when
// `cidr` is not an IPv4 CIDR.
base::Result<std::string> first_ip_of_cidr(const std::string& cidr);

}  // namespace kite::serverapp
