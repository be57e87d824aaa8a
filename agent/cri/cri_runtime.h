// CriRuntime: agent::Runtime (agent/runtime/runtime.h) over CRI v1 gRPC, i.e. containerd's CRI
// plugin (RuntimeService + ImageService on one unix socket).
//
// connect_cri_runtime() opens the channel, waits up to connect_timeout for it to connect and
// calls Version; if nothing answers it returns ServiceUnavailable naming the endpoint, and a
// runtime that does not serve CRI v1 is refused (InternalError). The returned Runtime keeps
// one channel that gRPC reconnects by itself if containerd restarts; calls made while it is
// down fail with ServiceUnavailable.
//
// Deadlines per call: `request_timeout` (kubelet's --runtime-request-timeout, 2 min) for
// everything except PullImage (`pull_timeout`) and ExecSync (its timeout + request_timeout;
// no deadline when its timeout is 0). Stop/remove of a sandbox or container that no longer
// exists succeed (idempotent); other errors map as cri_errors.h says. Field conversions and
// kubelet's defaults live in cri_convert.h.
//
// Threads: every method may be called from any thread concurrently (gRPC sync stubs); calls
// block, so never call them on an Asio strand.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "agent/runtime/runtime.h"
#include "base/status.h"

namespace kite::agent {

struct CriRuntimeOptions {
  std::chrono::seconds request_timeout{120};
  std::chrono::seconds pull_timeout{1800};
  int max_message_bytes = 16 * 1024 * 1024;  // as kubelet: large List* and ExecSync replies
};

// endpoint: "unix:///abs/path.sock" (a bare absolute path is accepted too).
base::Result<std::unique_ptr<Runtime>> connect_cri_runtime(const std::string& endpoint,
                                                           std::chrono::seconds connect_timeout,
                                                           const CriRuntimeOptions& options = {});

}  // namespace kite::agent
