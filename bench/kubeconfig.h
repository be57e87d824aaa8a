// Reads what the benchmark needs from a kubeconfig written by `kite server --write-kubeconfig`:
// the server URL and the embedded CA, client certificate and client key (PEM).
//
// Only the first cluster and first user are read, with a plain line scan (the file kite writes
// has one of each). Pure function; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace kite::bench {

struct KubeconfigCredentials {
  std::string host;  // "127.0.0.1"
  uint16_t port = 0;
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
};

base::Result<KubeconfigCredentials> read_kubeconfig(const std::string& path);

}  // namespace kite::bench
