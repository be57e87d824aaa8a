// AtomicWriter: kubelet's atomic projection of a file set into a volume directory.
//
// Layout of `dir` after write():
//   ..2026_11_22_10_58_01.123456789/   the current payload (timestamped directory)
//   ..data -> ..2026_11_22_...         swapped with one rename(2), so readers see the old or
//                                      the new set, never a mix
//   <top-level entry> -> ..data/<top-level entry>   one symlink per user-visible name
// A write with the same content (and modes) as the current payload changes nothing. Stale
// user symlinks and the old payload directory are removed after the swap.
// Threads: one writer per directory at a time (the VolumeManager serializes per pod).
#pragma once

#include <map>
#include <string>

#include "base/status.h"

namespace kite::storage {

struct FileProjection {
  std::string data;
  int mode = 0644;
};

// path (relative, checked with check_payload_path) -> content.
using Payload = std::map<std::string, FileProjection>;

// Writes `payload` into `dir` (created when missing). Returns true when something changed.
base::Result<bool> write_payload_atomically(const std::string& dir, const Payload& payload);

}  // namespace kite::storage
