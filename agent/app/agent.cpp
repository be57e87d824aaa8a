// The agent's assembly (see agent/app/agent.h).
#include "agent/app/agent.h"

#include <signal.h>

#include <filesystem>
#include <thread>

#include "agent/app/node_readiness.h"
#include "agent/containerd/containerd_supervisor.h"
#include "agent/cri/cri_runtime.h"
#include "agent/join/join.h"
#include "agent/network/pod_network.h"
#include "agent/node/machine_facts.h"
#include "agent/node/node_heartbeat.h"
#include "agent/pods/pod_manager.h"
#include "agent/streaming/kubelet_server.h"
#include "base/clock.h"
#include "base/log.h"
#include "client/rest_client.h"
#include "storage/volumes/volume_manager.h"

namespace kite::agent {

using base::Reason;

namespace {

// The value of `--kubelet-arg key=N` (validated by resolve_agent_config), or `fallback`.
int kubelet_arg_int(const AgentConfig& c, const std::string& key, int fallback) {
  for (const auto& arg : c.kubelet_arg) {
    std::string a = arg.starts_with("--") ? arg.substr(2) : arg;
    if (a.starts_with(key + "=")) {
      try {
        return std::stoi(a.substr(key.size() + 1));
      } catch (...) {
        return fallback;
      }
    }
  }
  return fallback;
}

// The CRI client for `endpoint`. The supervised containerd answers at once (its socket was
// checked before); an endpoint that does not answer within 5 s leaves the node NotReady with
// the reason, rather than holding up its registration.
base::Result<std::unique_ptr<Runtime>> connect_runtime(const std::string& endpoint) {
  return connect_cri_runtime(endpoint, std::chrono::seconds(5));
}

}  // namespace

struct Agent::Impl {
  AgentConfig config;
  base::RealClock clock;
  NodeReadiness readiness;
  std::unique_ptr<client::Client> client;
  std::unique_ptr<client::Client> event_client;
  std::unique_ptr<ContainerdSupervisor> containerd;  // only without --container-runtime-endpoint
  std::string runtime_endpoint;
  std::unique_ptr<Runtime> runtime;
  std::unique_ptr<RuntimeProbe> runtime_probe;
  std::unique_ptr<NodeHeartbeat> heartbeat;
  std::unique_ptr<streaming::KubeletServer> kubelet_server;
  std::unique_ptr<storage::VolumeManager> volumes;
  std::unique_ptr<pods::PodManager> pods;
  std::unique_ptr<network::PodNetwork> network;
  std::thread network_starter;  // runs PodNetwork::start (it waits for the node's podCIDR)
  bool started = false;
};

Agent::Agent(AgentConfig config) : impl_(std::make_unique<Impl>()) { impl_->config = std::move(config); }

Agent::~Agent() { stop(); }

base::Result<void> Agent::start() {
  auto& im = *impl_;
  const AgentConfig& c = im.config;
  const std::string agent_dir = c.data_dir + "/agent";
  std::error_code ec;
  std::filesystem::create_directories(agent_dir, ec);
  if (ec) return base::error(Reason::InternalError, "creating " + agent_dir + ": " + ec.message());
  std::filesystem::permissions(agent_dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace, ec);

  MachineFacts facts = collect_machine_facts(c.data_dir);
  std::string node_ip = c.node_ip.empty() ? default_route_ipv4() : c.node_ip;
  const int kubelet_port = kubelet_arg_int(c, "port", kKubeletPort);

  // 1. Join: identity and certificates.
  JoinOptions jo;
  jo.server_url = c.server;
  jo.token = c.token;
  jo.agent_dir = agent_dir;
  jo.node_name = c.node_name;
  jo.node_ips = {node_ip};
  jo.hostname = facts.hostname;
  auto creds = join_cluster(jo);
  if (!creds) return std::unexpected(creds.error());

  // 2. The API client as system:node:<name>.
  client::HttpsCredentials hc;
  hc.server = creds->server_url;
  hc.ca_pem = creds->server_ca_pem;
  hc.cert_pem = creds->client.cert_pem;
  hc.key_pem = creds->client.key_pem;
  client::RestClientOptions ro;
  ro.qps = 50;  // kubelet's kubeAPIQPS / kubeAPIBurst defaults
  ro.burst = 100;
  ro.user_agent = "kite-agent/" + c.node_name;
  im.client = client::make_https_client(hc, ro);
  // Events have their own client and rate limit (kubelet's eventRecordQPS / eventBurst).
  im.event_client = client::make_https_client(hc, ro);

  // 3. The container runtime: our own supervised containerd unless an endpoint is given. A
  // runtime that cannot start or be reached leaves the node registered but NotReady, with
  // the reason in the Ready condition.
  im.runtime_endpoint = c.container_runtime_endpoint;
  if (im.runtime_endpoint.empty()) {
    ContainerdOptions co;
    co.data_dir = c.data_dir;
    co.node_ip = node_ip;
    co.registries_file = c.private_registry;
    if (!c.pause_image.empty()) co.sandbox_image = c.pause_image;
    if (!c.debug_containerd_state_dir.empty()) co.state_dir = c.debug_containerd_state_dir;
    im.containerd = std::make_unique<ContainerdSupervisor>(co);
    if (auto r = im.containerd->start(); !r) {
      KITE_LOG(error, "agent") << "starting containerd: " << r.error().message();
      im.readiness.set_runtime(false, "container runtime is down: starting containerd failed: " + r.error().message());
      im.containerd.reset();
    } else {
      im.runtime_endpoint = im.containerd->endpoint();
    }
  }
  if (!im.runtime_endpoint.empty()) {
    auto runtime = connect_runtime(im.runtime_endpoint);
    if (runtime) {
      im.runtime = std::move(*runtime);
      im.runtime_probe = std::make_unique<RuntimeProbe>(*im.runtime, im.readiness);
      im.runtime_probe->start();
    } else {
      KITE_LOG(error, "agent") << "container runtime: " << runtime.error().message();
      im.readiness.set_runtime(false, "container runtime is down: " + runtime.error().message());
    }
  }
  if (c.flannel_backend != "none") {
    im.readiness.set_network(false, "container runtime network not ready: waiting for this node's podCIDR "
                                    "(CNI config not written yet)");
  }

  // 4. The Node and its Lease.
  NodeHeartbeatOptions ho;
  ho.settings.name = c.node_name;
  ho.settings.node_ip = node_ip;
  ho.settings.labels = c.node_label;
  ho.settings.taints = c.node_taint;
  ho.settings.debug_arch = c.debug_node_arch;
  ho.settings.max_pods = kubelet_arg_int(c, "max-pods", kMaxPods);
  ho.settings.kubelet_port = kubelet_port;
  ho.facts = facts;
  ho.readiness = [this] { return impl_->readiness.get(); };
  ho.runtime_version = [this] { return impl_->readiness.runtime_version(); };
  im.heartbeat = std::make_unique<NodeHeartbeat>(*im.client, im.clock, ho);
  if (auto r = im.heartbeat->register_node(); !r) {
    stop();
    return r;
  }
  im.heartbeat->start();
  im.started = true;

  // 5. The kubelet-like server on :10250 (needs the runtime).
  if (im.runtime) {
    streaming::KubeletServerOptions ko;
    ko.port = static_cast<uint16_t>(kubelet_port);
    ko.cert_file = creds->serving_cert_file;
    ko.key_file = creds->serving_key_file;
    ko.client_ca_file = creds->client_ca_file;
    ko.runtime = im.runtime.get();
    ko.log_root = c.log_root;
    im.kubelet_server = std::make_unique<streaming::KubeletServer>(ko);
    if (auto r = im.kubelet_server->start(); !r) {
      stop();
      return base::error(r.error().reason(), "starting the kubelet server on port " + std::to_string(kubelet_port) +
                                                 ": " + r.error().message());
    }
  }
  // The pod workers (they need the runtime): volumes under <data-dir>/agent/pods, pod cgroups
  // under /kite-<node>/kubepods so simulated nodes on one machine stay apart.
  if (im.runtime) {
    im.volumes = std::make_unique<storage::VolumeManager>(
        *im.client, storage::VolumeManagerOptions{agent_dir + "/pods", c.node_name, creds->server_ca_file});
    pods::PodManagerOptions po;
    po.client = im.client.get();
    po.event_client = im.event_client.get();
    po.runtime = im.runtime.get();
    po.volumes = im.volumes.get();
    po.node_name = c.node_name;
    po.node_ip = node_ip;
    po.cluster_dns = c.cluster_dns;
    po.cluster_domain = c.cluster_domain;
    po.log_root = c.log_root;
    po.cgroup_parent = "/kite-" + c.node_name + "/kubepods";
    im.pods = std::make_unique<pods::PodManager>(po);
    if (auto r = im.pods->start(); !r) {
      stop();
      return base::error(r.error().reason(), "starting the pod workers: " + r.error().message());
    }
  }

  // 6. The pod network: waits (on its own thread) for the node's podCIDR, then writes the
  // CNI config; the node turns Ready once it has.
  if (c.flannel_backend != "none") {
    network::PodNetworkOptions no;
    no.client = im.client.get();
    no.node_name = c.node_name;
    no.node_ip = node_ip;
    no.cluster_cidr = c.cluster_cidr;
    no.cni_conf_dir = agent_dir + "/etc/cni/net.d";
    im.network = std::make_unique<network::PodNetwork>(no);
    im.network_starter = std::thread([this] {
      auto r = impl_->network->start();
      if (r) {
        impl_->readiness.set_network(true, "");
        KITE_LOG(info, "agent") << "pod network ready: " << impl_->network->conflist_path();
      } else {
        KITE_LOG(error, "agent") << "pod network: " << r.error().message();
        impl_->readiness.set_network(false, "container runtime network not ready: " + r.error().message());
      }
    });
  }
  KITE_LOG(info, "agent") << "node " << c.node_name << " is registered with " << creds->server_url;
  return {};
}

void Agent::stop() {
  auto& im = *impl_;
  // The pod workers first: they use the runtime, the volumes and the client. Stopping them
  // leaves the containers running (a restarted agent adopts them).
  if (im.pods) im.pods->stop();
  im.pods.reset();
  im.volumes.reset();
  // stop() interrupts a PodNetwork::start still waiting for the podCIDR; then its thread ends.
  if (im.network) im.network->stop();
  if (im.network_starter.joinable()) im.network_starter.join();
  im.network.reset();
  if (im.kubelet_server) im.kubelet_server->stop();
  im.kubelet_server.reset();
  if (im.heartbeat) im.heartbeat->stop();
  im.heartbeat.reset();
  if (im.runtime_probe) im.runtime_probe->stop();
  im.runtime_probe.reset();
  im.runtime.reset();
  if (im.containerd) im.containerd->stop();
  im.containerd.reset();
  im.event_client.reset();
  im.client.reset();
  if (im.started) {
    KITE_LOG(info, "agent") << "agent stopped";
  }
  im.started = false;
}

base::Result<void> run_agent(const AgentConfig& config) {
  auto resolved = resolve_agent_config(config);
  if (!resolved) return std::unexpected(resolved.error());
  Agent agent(*resolved);
  if (auto r = agent.start(); !r) return r;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  KITE_LOG(info, "agent") << "received " << (sig == SIGTERM ? "SIGTERM" : "SIGINT") << ", shutting down";
  agent.stop();
  return {};
}

}  // namespace kite::agent
