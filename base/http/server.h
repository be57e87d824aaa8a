// HTTPS server on Boost.Beast for the API server (and later the agent's stream server).
//
// Connections are served by C++20 coroutines on an io_context run by `io_threads` threads,
// each connection on its own strand. The handler runs on a separate worker pool (so it may
// block, e.g. on datastore calls) and returns a Response; a Response with a stream is then
// written chunked by the connection until the stream ends or the client goes away.
// TLS only: the server certificate/key are PEM files; when a client CA file is given, clients
// may present a certificate signed by it (optional), which arrives as Request::peer.
// Request bodies over `max_body_bytes` are answered 413 with a Kubernetes Status.
// A Response with `upgrade` set (WebSocket, SPDY) gets its status line and headers written and
// then the raw connection is handed to that function on a thread of its own (raw_stream.h);
// stop() closes upgraded connections too and waits up to 5 s for their functions to return.
//
// start() and stop() are called from one controlling thread; the handler is called
// concurrently from worker threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/http/types.h"
#include "base/status.h"

namespace kite::base::http {

struct ServerOptions {
  std::string bind_address = "0.0.0.0";
  uint16_t port = 6443;  // 0 = pick a free port (see Server::port())
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;  // empty = no client certificates
  int io_threads = 2;
  int worker_threads = 64;
  size_t max_body_bytes = 3 * 1024 * 1024;
};

using Handler = std::function<Response(Request&)>;

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads the certificates, binds and starts serving. Errors: the address cannot be bound, or
  // the certificate files cannot be loaded.
  Result<void> start();
  // Stops accepting, closes connections (ending streams) and joins the threads.
  void stop();
  // The bound port (useful with port 0).
  uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kite::base::http
