// ApiServer: the Kubernetes-compatible API over a kv::Store.
//
// Owns the resource Registry, the WatchCache and the HTTPS server, and routes each request:
// authentication -> authorization -> non-resource endpoints (health, version, discovery,
// OpenAPI) or the REST handlers (rest_*.cpp) for a resource. Reads come from the watch cache,
// writes go to the store and come back through the cache's watch.
//
// Threads: the HTTP server's io threads and worker pool call handle(); everything reachable
// from handle() is thread-safe. start()/stop() are called from the owning thread.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "api/resource.h"
#include "base/http/server.h"
#include "server/apiserver/authn.h"
#include "server/apiserver/node_bootstrap.h"
#include "server/apiserver/watch_cache.h"
#include "server/kv/store.h"

namespace kite::apiserver {

struct ApiServerOptions {
  base::http::ServerOptions http;      // bind address, port, serving cert/key, client CA
  std::string token_auth_file;         // static bearer tokens (optional)
  std::string advertise_address;       // for discovery's serverAddressByClientCIDRs
  std::string service_cidr = "10.43.0.0/16";
  std::string cluster_cidr = "10.42.0.0/16";
  WatchCache::Options cache;
  // Serves /cacerts and /v1-kite/ (node join) when set.
  std::shared_ptr<const NodeBootstrapOptions> node_bootstrap;
  // Reaching node agents for pods/log, exec, attach, portforward (pod_streams.h): the client
  // certificate the server presents, and the CA that signs agents' serving certificates
  // (empty = the agent's certificate is not verified, like kube-apiserver without
  // --kubelet-certificate-authority).
  std::string kubelet_client_cert_file;
  std::string kubelet_client_key_file;
  std::string kubelet_ca_file;
  // The key that signs service account tokens (service_account_tokens.h); empty = no tokens.
  std::string service_account_key_file;
};

class ApiServer {
 public:
  ApiServer(ApiServerOptions options, kv::Store& store);
  ~ApiServer();

  // Loads custom resources, fills the cache, creates the system namespaces and starts
  // serving. Returns once /readyz would answer 200.
  base::Result<void> start();
  void stop();
  uint16_t port() const;
  bool ready() const { return ready_; }

  // The request entry point (public for in-process tests).
  base::http::Response handle(base::http::Request& req);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> ready_{false};
};

}  // namespace kite::apiserver
