// The node's CNI network configuration: a conflist with the bridge plugin (host-local IPAM
// on the node's podCIDR) and the portmap plugin (hostPort). Loopback is set up by containerd
// itself. render_conflist() is pure; write_file_atomic() writes through a temp file + rename
// so containerd never reads a half-written conflist. Both are thread-safe.
#pragma once

#include <string>

#include "base/status.h"

namespace kite::agent::network {

inline constexpr const char* kConflistName = "10-kite.conflist";
inline constexpr const char* kNetworkName = "kite-pod-network";

struct CniConfigInput {
  std::string pod_cidr;        // the node's spec.podCIDR, e.g. "10.42.1.0/24"
  std::string bridge = "cni0";
  std::string ipam_data_dir;   // host-local's dataDir (per agent, so simulated nodes do not share)
};

// The conflist JSON text (pretty-printed, ends with a newline).
std::string render_conflist(const CniConfigInput& in);

// Writes `content` to `path` atomically (temp file in the same directory, fsync, rename);
// creates the parent directories.
base::Result<void> write_file_atomic(const std::string& path, const std::string& content);

}  // namespace kite::agent::network
