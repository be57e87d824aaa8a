// join_cluster: how an agent gets its identity from a kite server (k3s's join flow).
//
//   1. Parse the token ("K10<sha256 of the server CA>::<user>:<password>" or a bare secret).
//   2. GET <server>/cacerts WITHOUT verifying TLS, and check sha256 of the exact bytes against
//      the token's hash before any credential is sent (a bare token has no hash: the CA is
//      trusted on first use, and a warning is logged). A mismatch is Unauthorized.
//   3. With TLS now verified against that CA, GET /v1-kite/client-ca.crt,
//      /v1-kite/client-kubelet.crt and /v1-kite/serving-kubelet.crt with basic auth from the
//      token (user "node" for a bare token) and the headers Kite-Node-Name, Kite-Node-Password
//      (the node password of agent/join/node_password.h), Kite-Node-IP, Kite-Node-Hostname.
//      The server generates the key pairs (no CSR) and stores the node password's hash on the
//      first join; a different password for an existing node name is 403.
//   4. Keep everything under <data-dir>/agent/: server-ca.crt, client-ca.crt,
//      client-kubelet.crt/.key, serving-kubelet.crt/.key, kubelet.kubeconfig (keys 0600).
// On restart the stored certificates are reused (no certificate requests) while the server
// CA is unchanged, they chain to the stored CAs, name this node (and, for the serving
// certificate, every node IP), and are more than 30 days from expiry.
//
// Synchronous; call from one thread. The HTTP fetch is injectable for tests.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/pki.h"
#include "base/status.h"

namespace kite::agent {

struct FetchRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string ca_file;  // "" = do not verify the server certificate
  std::chrono::milliseconds timeout{std::chrono::seconds(15)};
};
struct FetchReply {
  int status = 0;
  std::string body;
};
// Transport failures are ServiceUnavailable.
using Fetcher = std::function<base::Result<FetchReply>(const FetchRequest&)>;
// HTTPS GET through base/http's client.
Fetcher https_fetcher();

struct JoinOptions {
  std::string server_url;  // https://host:6443
  std::string token;
  std::string agent_dir;  // <data-dir>/agent
  std::string node_name;
  std::vector<std::string> node_ips;  // for the serving certificate's SANs
  std::string hostname;
  Fetcher fetch;  // empty = https_fetcher()
};

struct NodeCredentials {
  std::string server_url;
  std::string server_ca_pem, client_ca_pem;
  base::KeyPair client;   // CN=system:node:<name>
  base::KeyPair serving;  // the :10250 server's certificate
  std::string server_ca_file, client_ca_file;
  std::string client_cert_file, client_key_file;
  std::string serving_cert_file, serving_key_file;
  std::string kubeconfig_file;
  bool reused = false;  // true when the stored certificates were still good
};

// Errors name the step: BadRequest (malformed token or URL), ServiceUnavailable (server
// unreachable), Unauthorized (CA hash mismatch, token rejected), Forbidden (node password
// rejected), InternalError (files).
base::Result<NodeCredentials> join_cluster(const JoinOptions& options);

}  // namespace kite::agent
