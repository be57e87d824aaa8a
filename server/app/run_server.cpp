#include "server/app/run_server.h"

#include <signal.h>
#include <unistd.h>

#include <filesystem>

#include "base/ids.h"
#include "base/log.h"
#include "agent/app/agent.h"
#include "base/pki.h"
#include "server/app/control_plane.h"
#include "server/app/controller_settings.h"
#include "server/apiserver/api_server.h"
#include "server/bootstrap/kubeconfig.h"
#include "server/bootstrap/server_pki.h"
#include "server/bootstrap/token.h"
#include "server/kv/etcd_store.h"
#include "server/kv/etcd_supervisor.h"

namespace kite::serverapp {

using base::Reason;

void block_termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

namespace {

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t comma = s.find(',', pos);
    if (comma == std::string::npos) comma = s.size();
    if (comma > pos) out.push_back(s.substr(pos, comma - pos));
    pos = comma + 1;
  }
  return out;
}

std::string hostname() {
  char buf[256] = {0};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

}  // namespace

base::Result<void> run_server(const ServerConfig& c) {
  namespace fs = std::filesystem;
  const std::string server_dir = c.data_dir + "/server";
  std::error_code ec;
  fs::create_directories(server_dir, ec);
  if (ec) return base::error(Reason::InternalError, "creating " + server_dir + ": " + ec.message());
  fs::permissions(c.data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);

  // PKI and the join token.
  auto service_ip = first_ip_of_cidr(c.service_cidr);
  if (!service_ip) return std::unexpected(service_ip.error());
  bootstrap::ServerPkiOptions pki_opts;
  pki_opts.tls_dir = server_dir + "/tls";
  pki_opts.extra_sans = c.tls_san;
  pki_opts.advertise_address = c.advertise_address;
  pki_opts.hostname = c.node_name.empty() ? hostname() : c.node_name;
  pki_opts.service_ip = *service_ip;
  pki_opts.cluster_domain = c.cluster_domain;
  auto pki = bootstrap::ensure_server_pki(pki_opts);
  if (!pki) return std::unexpected(pki.error());
  auto token = bootstrap::ensure_server_token(server_dir + "/token", c.token, pki->server_ca.cert_pem);
  if (!token) return std::unexpected(token.error());

  // The datastore.
  std::unique_ptr<kv::EtcdSupervisor> etcd;
  kv::EtcdOptions store_opts;
  if (c.datastore_endpoint.empty()) {
    kv::EtcdSupervisorOptions so;
    so.data_dir = server_dir + "/db/etcd";
    etcd = std::make_unique<kv::EtcdSupervisor>(so);
    if (auto r = etcd->start(); !r) return base::error(Reason::InternalError, "starting etcd: " + r.error().message());
    store_opts.endpoints = {etcd->client_url()};
  } else {
    store_opts.endpoints = split_commas(c.datastore_endpoint);
    store_opts.ca_file = c.datastore_cafile;
    store_opts.cert_file = c.datastore_certfile;
    store_opts.key_file = c.datastore_keyfile;
  }
  auto store = kv::EtcdStore::connect(store_opts);
  if (!store) {
    if (etcd) etcd->stop();
    return base::error(Reason::ServiceUnavailable, "connecting to the datastore: " + store.error().message());
  }

  // The API server.
  apiserver::ApiServerOptions api_opts;
  api_opts.http.bind_address = c.bind_address;
  api_opts.http.port = static_cast<uint16_t>(c.https_listen_port);
  api_opts.http.cert_file = pki->serving_cert_file;
  api_opts.http.key_file = pki->serving_key_file;
  api_opts.http.client_ca_file = pki->client_ca_file;
  api_opts.token_auth_file = c.token_auth_file;
  api_opts.advertise_address = c.advertise_address;
  api_opts.service_cidr = c.service_cidr;
  api_opts.cluster_cidr = c.cluster_cidr;
  // Calls to agents (logs, exec, attach, port-forward): the API server's own client certificate,
  // and agents' serving certificates are signed by the server CA.
  api_opts.kubelet_client_cert_file = pki->apiserver_client_cert_file;
  api_opts.kubelet_client_key_file = pki->apiserver_client_key_file;
  api_opts.service_account_key_file = pki->service_account_key_file;
  api_opts.kubelet_ca_file = pki->server_ca_file;
  {
    apiserver::NodeBootstrapOptions nb;
    nb.pki = *pki;
    nb.server_token = *token;
    if (!c.agent_token.empty()) {
      auto agent_token = bootstrap::parse_token(c.agent_token);
      if (!agent_token) return base::error(Reason::BadRequest, "--agent-token: " + agent_token.error().message());
      nb.agent_password = agent_token->password;
    }
    api_opts.node_bootstrap = std::make_shared<const apiserver::NodeBootstrapOptions>(std::move(nb));
  }
  auto api = std::make_unique<apiserver::ApiServer>(api_opts, **store);
  if (auto r = api->start(); !r) {
    api.reset();
    store->reset();
    if (etcd) etcd->stop();
    return base::error(r.error().reason(), "starting the API server: " + r.error().message());
  }

  bootstrap::KubeconfigOptions kc;
  kc.path = c.write_kubeconfig;
  kc.mode = c.write_kubeconfig_mode;
  kc.server_url = "https://127.0.0.1:" + std::to_string(api->port());
  kc.ca_pem = pki->server_ca.cert_pem;
  kc.client_cert_pem = pki->admin.cert_pem;
  kc.client_key_pem = pki->admin.key_pem;
  if (auto r = bootstrap::write_kubeconfig(kc); !r) {
    KITE_LOG(error, "server") << "writing kubeconfig " << kc.path << ": " << r.error().message();
  } else {
    KITE_LOG(info, "server") << "wrote kubeconfig " << kc.path;
  }
  std::unique_ptr<ControlPlane> control_plane;
  if (!c.disable_controller_manager || !c.disable_scheduler) {
    ControlPlaneOptions cp;
    cp.run_controllers = !c.disable_controller_manager;
    cp.run_scheduler = !c.disable_scheduler;
    cp.settings = *controller_settings(c);  // validated with the config
    cp.settings.root_ca_pem = pki->server_ca.cert_pem;  // published as kube-root-ca.crt
    cp.identity = hostname() + "_" + base::new_uuid();
    control_plane = std::make_unique<ControlPlane>(
        [server = api.get()](base::http::Request& req) { return server->handle(req); }, std::move(cp));
    control_plane->start();
  }
  // The local agent joins this server like any other node, over HTTPS with the server token.
  std::unique_ptr<agent::Agent> local_agent;
  if (!c.disable_agent) {
    agent::AgentConfig ac;
    std::string host = c.bind_address;
    if (host.empty() || host == "0.0.0.0" || host == "::") host = "127.0.0.1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    ac.server = "https://" + host + ":" + std::to_string(api->port());
    ac.token = bootstrap::format_token(*token);
    ac.data_dir = c.data_dir;
    ac.node_name = c.node_name;
    ac.node_ip = c.node_ip;
    ac.node_label = c.node_label;
    ac.node_taint = c.node_taint;
    ac.container_runtime_endpoint = c.container_runtime_endpoint;
    ac.cluster_dns = c.cluster_dns;
    ac.cluster_domain = c.cluster_domain;
    ac.cluster_cidr = c.cluster_cidr;
    ac.flannel_backend = c.flannel_backend;
    ac.debug_node_arch = c.debug_node_arch;
    ac.debug_containerd_state_dir = c.debug_containerd_state_dir;
    ac.kubelet_arg = c.kubelet_arg;
    ac.pause_image = c.pause_image;
    ac.private_registry = c.private_registry;
    ac.log_root = c.log_root;
    auto resolved = agent::resolve_agent_config(ac);
    base::Result<void> started = resolved ? base::Result<void>{} : std::unexpected(resolved.error());
    if (resolved) {
      local_agent = std::make_unique<agent::Agent>(*resolved);
      started = local_agent->start();
    }
    if (!started) {
      local_agent.reset();
      control_plane.reset();
      api->stop();
      api.reset();
      store->reset();
      if (etcd) etcd->stop();
      return base::error(started.error().reason(), "starting the local agent: " + started.error().message() +
                                                       " (use --disable-agent to run without one)");
    }
  }
  KITE_LOG(info, "server") << "kite server is ready";

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  KITE_LOG(info, "server") << "received " << (sig == SIGTERM ? "SIGTERM" : "SIGINT") << ", shutting down";
  if (local_agent) local_agent->stop();
  local_agent.reset();
  control_plane.reset();
  api->stop();
  api.reset();
  store->reset();
  if (etcd) etcd->stop();
  KITE_LOG(info, "server") << "stopped";
  return {};
}

}  // namespace kite::serverapp
