// NodeBootstrapEndpoints: the HTTP endpoints a joining agent calls before it has credentials
// (k3s's /cacerts and /v1-k3s/..., as kite's own /cacerts and /v1-kite/...).
//
//   GET /cacerts                        no authentication: the exact bytes of server-ca.crt,
//                                       which the join token's hash pins.
//   GET /v1-kite/client-ca.crt          the client CA certificate (agents verify the API
//                                       server's client certificate with it).
//   GET /v1-kite/client-kubelet.crt     a fresh client certificate + key (PEM, certificate
//                                       first) for CN=system:node:<name>, O=system:nodes.
//   GET /v1-kite/serving-kubelet.crt    a fresh serving certificate + key for the node's :10250
//                                       server (server CA; SANs node name, hostname, node IPs).
// /v1-kite/ requests authenticate with HTTP basic auth: user "node" or "server" with the
// server token's password, or user "node" with the agent token's password (k3s's scheme).
// The two certificate endpoints also need the headers Kite-Node-Name and Kite-Node-Password
// (and optionally Kite-Node-IP: comma-separated IPs, Kite-Node-Hostname). The node password is
// checked against (or, on a node's first join, stored as) a salted hash in the Secret
// kube-system/<node>.node-password.kite (server/bootstrap/node_identity.h); a mismatch is 403.
// The server generates the key pairs (no CSR): agents store them 0600 under their data dir.
//
// Threads: handle() is const and called concurrently from the HTTP workers; `system_route`
// must be thread-safe (it is the API server's route() as a system:masters identity).
#pragma once

#include <functional>
#include <string>

#include "base/http/types.h"
#include "server/bootstrap/server_pki.h"
#include "server/bootstrap/token.h"

namespace kite::apiserver {

struct NodeBootstrapOptions {
  bootstrap::ServerPki pki;
  bootstrap::JoinToken server_token;
  std::string agent_password;  // --agent-token's password; "" = agents use the server token
};

class NodeBootstrapEndpoints {
 public:
  using SystemRoute = std::function<base::http::Response(base::http::Request&)>;
  NodeBootstrapEndpoints(NodeBootstrapOptions options, SystemRoute system_route);

  // True for the paths this class answers (checked before API authentication).
  static bool handles(const std::string& path);
  base::http::Response handle(base::http::Request& req) const;

 private:
  base::http::Response check_node_password(const std::string& node, const std::string& password) const;

  NodeBootstrapOptions options_;
  SystemRoute route_;
};

}  // namespace kite::apiserver
