// A minimal blocking HTTPS/1.1 client on Boost.Beast for the load generator: one TLS
// connection, kept alive across requests, authenticated with a client certificate.
//
// Request/response calls never throw; transport failures come back as status 0 with the
// message in `body`. A socket receive timeout bounds every read. `read_stream_lines` reads a
// chunked streaming response (a watch) and hands each newline-terminated line to a callback
// with its arrival time; `abort()` may be called from another thread to end such a read.
//
// Thread safety: one HttpsClient per thread, except abort(), which any thread may call.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "bench/kubeconfig.h"
#include "base/status.h"

namespace kite::bench {

struct HttpResult {
  int status = 0;  // 0 = transport error (message in body)
  std::string body;
};

class HttpsClient {
 public:
  using Clock = std::chrono::steady_clock;
  // Called with each complete line of a streamed body and the time its last byte was read.
  // Returning false ends the read.
  using LineSink = std::function<bool(const std::string& line, Clock::time_point arrived)>;

  explicit HttpsClient(const KubeconfigCredentials& creds,
                       std::chrono::seconds read_timeout = std::chrono::seconds(60));
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // Opens the TCP + TLS connection (requests reconnect on their own if it is closed).
  base::Result<void> connect();
  // One request on the kept-alive connection; body is sent as application/json when non-empty.
  HttpResult request(const std::string& method, const std::string& target, const std::string& body = "");
  // Sends a GET and reads the streamed response line by line until the sink returns false, the
  // stream ends, the read times out, or abort() is called. `on_headers` runs once the response
  // header has arrived. Returns the HTTP status (0 on transport failure before the header).
  int read_stream_lines(const std::string& target, const std::function<void()>& on_headers, const LineSink& sink);
  // Shuts the socket down so a blocked read returns.
  void abort();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kite::bench
