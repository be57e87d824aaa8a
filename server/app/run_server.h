// run_server: `kite server` from a validated ServerConfig to a serving API, until SIGTERM or
// SIGINT. Sets up the data dir, PKI, join token, datastore (a supervised etcd, or the given
// endpoints), the API server and the admin kubeconfig; shuts down in reverse order.
#pragma once

#include "base/status.h"
#include "server/app/server_config.h"

namespace kite::serverapp {

// Blocks until a termination signal. The caller must have blocked SIGTERM/SIGINT in every
// thread (block_termination_signals) before any thread was created.
base::Result<void> run_server(const ServerConfig& config);

// Blocks SIGTERM and SIGINT in the calling thread (and threads it creates later), so that
// run_server can wait for them with sigwait.
void block_termination_signals();

}  // namespace kite::serverapp
