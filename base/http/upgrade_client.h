// Client side of upgraded (and streamed) HTTP/1.1 requests: dials http:// or https:// (TLS with
// an optional client certificate and a CA to verify the server), sends one request and returns
// the response head plus a RawStream:
//   - status 101: the raw connection after the headers (speak WebSocket/SPDY, or splice());
//   - any other status: the decoded response body (chunked or Content-Length), read-only, so
//     streamed bodies (container logs) can be relayed as they arrive.
// Used by the API server to reach agents (exec/attach/portforward/logs) and by the agent to
// reach containerd's stream server.
//
// Threads: dial_http() blocks (up to `timeout` for connect + TLS + response head). Each
// returned stream owns one I/O thread; see raw_stream.h for its thread rules.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/http/raw_stream.h"
#include "base/status.h"

namespace kite::base::http {

struct ClientRequest {
  std::string url;  // "https://10.0.0.5:10250/exec/ns/pod/c?command=sh&stdin=1" or "http://..."
  std::string method = "GET";
  // Sent as given, e.g. {"Connection","Upgrade"}, {"Upgrade","SPDY/3.1"},
  // {"X-Stream-Protocol-Version","v4.channel.k8s.io"}. Host is added when absent.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // TLS (https only). Empty ca_file = do not verify the server (insecure).
  std::string ca_file;
  std::string cert_file;  // client certificate (PEM), optional
  std::string key_file;
  bool verify_host = true;  // check the server certificate's name/IP against the URL host
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
};

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::unique_ptr<RawStream> stream;           // see the header comment
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// Errors: bad URL (BadRequest), connect/TLS/protocol failures or timeout (ServiceUnavailable).
Result<ClientResponse> dial_http(const ClientRequest& request);

}  // namespace kite::base::http
