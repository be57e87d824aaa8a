// RestClient: the Client interface spoken as HTTP/JSON over a Transport.
//
//   - make_https_client: HTTPS to a kite (or any Kubernetes) API server, authenticated with a
//     client certificate or a bearer token, CA-pinned; keeps a small pool of kept-alive
//     connections; each watch uses its own connection.
//   - make_in_process_client: calls an API server's request handler directly (no socket, no
//     TLS), as the identity given; used by the controllers and scheduler inside `kite server`.
//
// Both rate-limit requests client-side (token bucket: qps, burst; watches are not limited)
// and retry idempotent requests (GET/PUT/DELETE/PATCH, and list) on transport errors, 429 and
// 5xx with exponential backoff (honouring Retry-After), up to max_retries.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/http/types.h"
#include "base/status.h"
#include "client/client.h"

namespace kite::client {

struct RestClientOptions {
  double qps = 0;   // 0 = unlimited
  int burst = 0;
  int max_retries = 5;
  std::chrono::milliseconds retry_base_delay{100};
  std::chrono::seconds request_timeout{60};
  std::string user_agent = "kite";
};

struct HttpsCredentials {
  std::string server;  // "https://127.0.0.1:6443"
  std::string ca_pem;
  std::string cert_pem;  // client certificate (optional)
  std::string key_pem;
  std::string bearer_token;  // optional
};

// Reads server URL, CA, client certificate/key or token of the current context of a
// kubeconfig file (embedded *-data or file paths).
base::Result<HttpsCredentials> credentials_from_kubeconfig(const std::string& path);

std::unique_ptr<Client> make_https_client(HttpsCredentials creds, RestClientOptions options = {});

// The handler an API server exposes (ApiServer::handle). `identity` is presented as the
// peer's verified client certificate.
using RequestHandler = std::function<base::http::Response(base::http::Request&)>;
std::unique_ptr<Client> make_in_process_client(RequestHandler handler, base::http::PeerCertificate identity,
                                               RestClientOptions options = {});

}  // namespace kite::client
