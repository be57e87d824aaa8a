// The network side of probes and lifecycle hooks: a TCP connect check and a small HTTP/1.1 GET
// client (plain or TLS without certificate verification, as kubelet's probes do), each bounded
// by a timeout. Error texts follow Go's net/http wording, which users see in kubelet's
// Unhealthy events: `dial tcp 10.42.0.5:8080: connect: connection refused`,
// `Get "http://10.42.0.5:8080/healthz": dial tcp ...`. Blocking; thread-safe (no shared state).
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace kite::agent::pods {

// "" on success, else the Go-style error.
std::string tcp_check(const std::string& host, int port, std::chrono::milliseconds timeout);

struct HttpGetResult {
  int status = 0;     // 0 when the request failed
  std::string body;   // at most 10 KiB, as kubelet reads
  std::string error;  // Go-style error when status == 0
};

HttpGetResult http_get(const std::string& scheme, const std::string& host, int port, const std::string& path,
                       const std::vector<std::pair<std::string, std::string>>& headers,
                       std::chrono::milliseconds timeout);

}  // namespace kite::agent::pods
