// `kite agent` flags and their validation (see agent/app/agent_config.h).
#include "agent/app/agent_config.h"

#include <unistd.h>

#include <algorithm>

#include "agent/node/node_object.h"
#include "base/pki.h"
#include "server/bootstrap/node_identity.h"

namespace kite::agent {

using base::Reason;

void register_agent_flags(base::FlagSet& f, AgentConfig& c) {
  f.add_string("config", &c.config_file, "Load configuration from FILE (keys are flag names)", "KITE_CONFIG_FILE");
  f.add_alias("c", "config");
  f.add_string("server", &c.server, "Server to connect to (https://HOST:6443)", "KITE_URL");
  f.add_alias("s", "server");
  f.add_string("token", &c.token, "Token to use for authentication (K10... or the bare secret)", "KITE_TOKEN");
  f.add_alias("t", "token");
  f.add_string("token-file", &c.token_file, "Token file to use for authentication", "KITE_TOKEN_FILE");
  f.add_string("data-dir", &c.data_dir, "Folder to hold state", "KITE_DATA_DIR");
  f.add_alias("d", "data-dir");
  f.add_string("node-name", &c.node_name, "Node name (default: the hostname)", "KITE_NODE_NAME");
  f.add_bool("with-node-id", &c.with_node_id, "Append a random id to the node name (kept in <data-dir>/agent/node-id)");
  f.add_string("node-ip", &c.node_ip, "IPv4 address to advertise for the node (default: the default route's)");
  f.add_alias("i", "node-ip");
  f.add_string_list("node-label", &c.node_label, "Registering the node with a label: key=value");
  f.add_string_list("node-taint", &c.node_taint, "Registering the node with a taint: key=value:Effect");
  f.add_string("container-runtime-endpoint", &c.container_runtime_endpoint,
               "Use an existing CRI socket (unix:///path) instead of running containerd");
  f.add_string_list("kubelet-arg", &c.kubelet_arg, "Kubelet setting key=value (supported: max-pods, port)");
  f.add_string("pause-image", &c.pause_image, "Image for the pod sandboxes (default: kite.local/pause:3.10, imported at start)");
  f.add_string("private-registry", &c.private_registry, "Private registry configuration file");
  f.add_string("cluster-dns", &c.cluster_dns, "IPv4 Cluster IP of the DNS service");
  f.add_string("cluster-domain", &c.cluster_domain, "Cluster Domain");
  f.add_string("cluster-cidr", &c.cluster_cidr, "IPv4 network CIDR of pod IPs (masqueraded when leaving it)");
  f.add_string("log-root", &c.log_root, "Folder for pod logs (kubelet's /var/log/pods)");
  f.add_string("flannel-backend", &c.flannel_backend,
               "Pod network: host-gw (bridge, routes to other nodes' pod CIDRs, masquerade) or none");
  f.add_bool("debug", &c.debug, "Turn on debug logs", "KITE_DEBUG");
  f.add_string("debug-node-arch", &c.debug_node_arch,
               "TEST ONLY: report this kubernetes.io/arch (amd64, arm64, ...) instead of the machine's");
  f.add_string("debug-containerd-state-dir", &c.debug_containerd_state_dir,
               "TEST ONLY: containerd's state folder (socket, shims' state) instead of /run/kite/containerd, "
               "so several simulated nodes can share one machine");
}

const std::vector<std::string>& supported_kubelet_args() {
  static const std::vector<std::string> keys = {"max-pods", "port"};
  return keys;
}

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  size_t b = s.find_first_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b);
}

}  // namespace

base::Result<AgentConfig> resolve_agent_config(AgentConfig c) {
  if (c.server.empty()) return base::error(Reason::BadRequest, "--server (or KITE_URL) is required");
  if (!c.server.starts_with("https://")) {
    return base::error(Reason::BadRequest, "--server must be an https:// URL, got \"" + c.server + "\"");
  }
  if (c.token.empty() && !c.token_file.empty()) {
    auto t = base::read_file(c.token_file);
    if (!t) return base::error(Reason::BadRequest, "--token-file " + c.token_file + ": " + t.error().message());
    c.token = trim(*t);
  }
  if (c.token.empty()) return base::error(Reason::BadRequest, "--token or --token-file (or KITE_TOKEN) is required");
  if (c.data_dir.empty()) return base::error(Reason::BadRequest, "--data-dir must not be empty");
  if (c.node_name.empty()) {
    char host[256] = {0};
    gethostname(host, sizeof host - 1);
    c.node_name = host;
  }
  c.node_name = lower(c.node_name);
  if (c.with_node_id) {
    const std::string id_file = c.data_dir + "/agent/node-id";
    auto id = base::read_file(id_file);
    std::string value = id ? trim(*id) : "";
    if (value.empty()) {
      auto fresh = base::random_hex(4);
      if (!fresh) return std::unexpected(fresh.error());
      value = *fresh;
      if (auto w = base::write_file_atomic(id_file, value + "\n", 0600); !w) return std::unexpected(w.error());
    }
    c.node_name += "-" + value;
  }
  if (auto v = bootstrap::validate_node_name(c.node_name); !v) return std::unexpected(v.error());
  if (!c.node_ip.empty() && !base::canonical_ip(c.node_ip)) {
    return base::error(Reason::BadRequest, "--node-ip \"" + c.node_ip + "\" is not an IP address");
  }
  if (auto l = parse_node_labels(c.node_label); !l) return std::unexpected(l.error());
  if (auto t = parse_node_taints(c.node_taint); !t) return std::unexpected(t.error());
  const auto& known = supported_kubelet_args();
  for (const auto& arg : c.kubelet_arg) {
    std::string a = arg.starts_with("--") ? arg.substr(2) : arg;
    auto eq = a.find('=');
    std::string key = a.substr(0, eq);
    bool number = eq != std::string::npos && eq + 1 < a.size() &&
                  a.find_first_not_of("0123456789", eq + 1) == std::string::npos;
    if (!number || std::find(known.begin(), known.end(), key) == known.end()) {
      return base::error(Reason::BadRequest, "--kubelet-arg \"" + arg + "\" is not supported by kite (supported: key=value with key one of: max-pods, port)");
    }
  }
  if (c.flannel_backend != "host-gw" && c.flannel_backend != "none") {
    return base::error(Reason::BadRequest, "--flannel-backend \"" + c.flannel_backend + "\" is not supported (host-gw or none)");
  }
  if (!c.debug_node_arch.empty()) {
    static const std::vector<std::string> arches = {"amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64"};
    if (std::find(arches.begin(), arches.end(), c.debug_node_arch) == arches.end()) {
      return base::error(Reason::BadRequest, "--debug-node-arch \"" + c.debug_node_arch + "\" is not a known architecture");
    }
  }
  return c;
}

}  // namespace kite::agent
