#include "server/app/server_config.h"

#include <arpa/inet.h>

#include "server/app/controller_settings.h"
#include "server/bootstrap/kubeconfig.h"

namespace kite::serverapp {

using base::Reason;

void register_server_flags(base::FlagSet& f, ServerConfig& c) {
  f.add_string("config", &c.config_file, "Load configuration from FILE (keys are flag names)", "KITE_CONFIG_FILE");
  f.add_alias("c", "config");
  f.add_string("data-dir", &c.data_dir, "Folder to hold state", "KITE_DATA_DIR");
  f.add_alias("d", "data-dir");
  f.add_string("bind-address", &c.bind_address, "kite bind address");
  f.add_int("https-listen-port", &c.https_listen_port, "HTTPS listen port (0 picks a free port)");
  f.add_string("advertise-address", &c.advertise_address, "IP address the API server advertises to members of the cluster");
  f.add_string_list("tls-san", &c.tls_san, "Additional hostnames or IPv4/IPv6 addresses as Subject Alternative Names on the server TLS cert");
  f.add_string("write-kubeconfig", &c.write_kubeconfig, "Write the admin kubeconfig to this file", "KITE_KUBECONFIG_OUTPUT");
  f.add_alias("o", "write-kubeconfig");
  f.add_string("write-kubeconfig-mode", &c.write_kubeconfig_mode, "Write the kubeconfig with this mode (octal)", "KITE_KUBECONFIG_MODE");
  f.add_string("datastore-endpoint", &c.datastore_endpoint, "etcd endpoints (comma separated http(s)://host:port); empty = run an embedded etcd", "KITE_DATASTORE_ENDPOINT");
  f.add_string("datastore-cafile", &c.datastore_cafile, "TLS Certificate Authority file used to secure datastore communication", "KITE_DATASTORE_CAFILE");
  f.add_string("datastore-certfile", &c.datastore_certfile, "TLS certification file used to secure datastore communication", "KITE_DATASTORE_CERTFILE");
  f.add_string("datastore-keyfile", &c.datastore_keyfile, "TLS key file used to secure datastore communication", "KITE_DATASTORE_KEYFILE");
  f.add_string("token", &c.token, "Shared secret used to join a server or agent to a cluster", "KITE_TOKEN");
  f.add_alias("t", "token");
  f.add_string("agent-token", &c.agent_token, "Shared secret used to join agents to the cluster, but not servers", "KITE_AGENT_TOKEN");
  f.add_bool("disable-agent", &c.disable_agent, "Do not run a local agent and register a local kubelet");
  f.add_bool("disable-scheduler", &c.disable_scheduler, "Disable the kite scheduler");
  f.add_bool("disable-controller-manager", &c.disable_controller_manager, "Disable the kite controllers");
  f.add_string_list("kube-controller-manager-arg", &c.kube_controller_manager_arg,
                    "Customized flag for the controllers, key=value (node-monitor-grace-period, node-monitor-period, "
                    "node-cidr-mask-size)");
  f.add_string("cluster-cidr", &c.cluster_cidr, "IPv4 network CIDR to use for pod IPs");
  f.add_string("service-cidr", &c.service_cidr, "IPv4 network CIDR to use for service IPs");
  f.add_string("cluster-dns", &c.cluster_dns, "IPv4 Cluster IP for the DNS service (should be in service-cidr range)");
  f.add_string("cluster-domain", &c.cluster_domain, "Cluster Domain");
  f.add_string("node-name", &c.node_name, "Node name", "KITE_NODE_NAME");
  f.add_string("node-ip", &c.node_ip, "(agent) IPv4 address to advertise for the node");
  f.add_string_list("node-label", &c.node_label, "(agent) Registering the node with a label: key=value");
  f.add_string_list("node-taint", &c.node_taint, "(agent) Registering the node with a taint: key=value:Effect");
  f.add_string("container-runtime-endpoint", &c.container_runtime_endpoint,
               "(agent) Use an existing CRI socket instead of running containerd");
  f.add_string("flannel-backend", &c.flannel_backend, "(agent) Pod network: host-gw or none");
  f.add_string_list("kubelet-arg", &c.kubelet_arg, "(agent) Kubelet setting key=value (supported: max-pods, port)");
  f.add_string("pause-image", &c.pause_image, "(agent) Image for the pod sandboxes (default: kite.local/pause:3.10)");
  f.add_string("private-registry", &c.private_registry, "(agent) Private registry configuration file");
  f.add_string("log-root", &c.log_root, "(agent) Folder for pod logs (kubelet's /var/log/pods)");
  f.add_string("debug-node-arch", &c.debug_node_arch, "(agent) TEST ONLY: report this kubernetes.io/arch");
  f.add_string("debug-containerd-state-dir", &c.debug_containerd_state_dir,
               "(agent) TEST ONLY: containerd's state folder instead of /run/kite/containerd");
  f.add_string("token-auth-file", &c.token_auth_file, "Static bearer tokens for the API (CSV: token,user,uid,\"group1,group2\")");
  f.add_bool("debug", &c.debug, "Turn on debug logs", "KITE_DEBUG");
}

base::Result<std::string> first_ip_of_cidr(const std::string& cidr) {
  auto slash = cidr.find('/');
  if (slash == std::string::npos) return base::error(Reason::BadRequest, "invalid CIDR \"" + cidr + "\": no prefix length");
  std::string ip = cidr.substr(0, slash);
  std::string bits_text = cidr.substr(slash + 1);
  in_addr addr{};
  if (inet_pton(AF_INET, ip.c_str(), &addr) != 1) {
    return base::error(Reason::BadRequest, "invalid CIDR \"" + cidr + "\": only IPv4 CIDRs are supported");
  }
  int bits = -1;
  try {
    size_t used = 0;
    bits = std::stoi(bits_text, &used);
    if (used != bits_text.size()) bits = -1;
  } catch (...) {
    bits = -1;
  }
  if (bits < 1 || bits > 30) return base::error(Reason::BadRequest, "invalid CIDR \"" + cidr + "\": prefix length must be 1-30");
  uint32_t host = ntohl(addr.s_addr);
  uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  uint32_t first = (host & mask) + 1;
  in_addr out{htonl(first)};
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &out, buf, sizeof buf);
  return std::string(buf);
}

base::Result<void> validate_server_config(const ServerConfig& c) {
  if (c.https_listen_port < 0 || c.https_listen_port > 65535) {
    return base::error(Reason::BadRequest, "--https-listen-port must be between 0 and 65535");
  }
  for (const auto* cidr : {&c.cluster_cidr, &c.service_cidr}) {
    if (auto r = first_ip_of_cidr(*cidr); !r) return std::unexpected(r.error());
  }
  in_addr dns{};
  if (inet_pton(AF_INET, c.cluster_dns.c_str(), &dns) != 1) {
    return base::error(Reason::BadRequest, "--cluster-dns \"" + c.cluster_dns + "\" is not an IPv4 address");
  }
  if (auto m = bootstrap::parse_file_mode(c.write_kubeconfig_mode); !m) {
    return base::error(Reason::BadRequest, "--write-kubeconfig-mode: " + m.error().message());
  }
  if (auto r = controller_settings(c); !r) return std::unexpected(r.error());
  if (c.data_dir.empty()) return base::error(Reason::BadRequest, "--data-dir must not be empty");
  if (!c.datastore_endpoint.empty()) {
    size_t pos = 0;
    while (pos <= c.datastore_endpoint.size()) {
      size_t comma = c.datastore_endpoint.find(',', pos);
      if (comma == std::string::npos) comma = c.datastore_endpoint.size();
      std::string ep = c.datastore_endpoint.substr(pos, comma - pos);
      if (!ep.starts_with("http://") && !ep.starts_with("https://")) {
        return base::error(Reason::BadRequest, "--datastore-endpoint \"" + ep +
                                                   "\": only etcd endpoints (http:// or https://) are supported");
      }
      pos = comma + 1;
    }
  }
  return {};
}

}  // namespace kite::serverapp
