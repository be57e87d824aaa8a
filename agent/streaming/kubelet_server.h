// KubeletServer: the agent's kubelet-compatible HTTPS endpoint (default :10250) that the API
// server calls for pods/log, pods/exec, pods/attach and pods/portforward.
//
// Routes (paths as kubelet serves them):
//   GET      /healthz                                   -> "ok" (no authentication)
//   GET      /containerLogs/{ns}/{pod}/{container}?follow&tailLines&timestamps&previous&
//                                     sinceSeconds&sinceTime&limitBytes   (log_service.h)
//   GET|POST /exec/{ns}/{pod}[/{uid}]/{container}?command=..&command=..&input&output&error&tty
//   GET|POST /attach/{ns}/{pod}[/{uid}]/{container}?input&output&error&tty
//   GET|POST /portForward/{ns}/{pod}[/{uid}][?port=N...]
// exec/attach/portForward ask the Runtime for a stream-server URL and relay the upgrade to it
// (stream_proxy.h). The stdin/stdout/stderr flags are read as kubelet does ("input", "output",
// "error"; "stdin"/"stdout"/"stderr" accepted too; value "1" or "true").
//
// Authentication/authorization: TLS with client certificates verified against client_ca_file.
// No (valid) client certificate -> 401; a certificate whose CN is not "kube-apiserver" and
// whose organizations do not include "system:masters" -> 403. Errors are metav1.Status JSON.
//
// Threads: start()/stop() from one controlling thread. Requests run on the HTTP server's
// worker threads (they block on the runtime), log followers on threads of the LogService,
// spliced streams on the HTTP server's upgrade threads. stop() ends all of them.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "agent/runtime/runtime.h"
#include "base/clock.h"
#include "base/status.h"

namespace kite::agent::streaming {

struct KubeletServerOptions {
  std::string bind_address = "0.0.0.0";
  uint16_t port = 10250;  // 0 = pick a free port (see port())
  std::string cert_file, key_file;  // serving certificate signed by the server CA
  std::string client_ca_file;       // verifies the API server's client certificate
  Runtime* runtime = nullptr;       // required; must outlive the server
  std::string log_root = "/var/log/pods";
  const base::Clock* clock = nullptr;  // nullptr = real clock
  std::chrono::milliseconds log_poll_interval{100};  // follow: how often the log file is re-read
};

class KubeletServer {
 public:
  explicit KubeletServer(KubeletServerOptions options);
  ~KubeletServer();
  KubeletServer(const KubeletServer&) = delete;
  KubeletServer& operator=(const KubeletServer&) = delete;

  // Loads the certificates and binds. Errors: BadRequest without a runtime or certificate
  // files, or the HTTP server's bind/certificate errors.
  Result<void> start();
  // Ends log follows and spliced streams, stops serving; idempotent.
  void stop();
  uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kite::agent::streaming
