// Imports image archives (OCI / docker-archive tarballs) into containerd's "k8s.io" namespace
// with `ctr --address SOCK -n k8s.io images import` (unpacked for the default snapshotter, so
// CRI can use them without pulling). Without --all-platforms: kite's images are single-platform
// and a multi-platform archive usually carries only one platform's blobs.
//
// Archives: every regular file named *.tar, *.tar.gz, *.tgz or *.tar.zst in the given dirs
// (sorted by path). ctr 1.6 only reads plain tar, so compressed archives are first
// decompressed into a temp file in scratch_dir (gzip with zlib, zstd with the `zstd` tool; a
// .tar.zst fails with a clear error when `zstd` is not installed). Already-imported archives
// are skipped: a state file remembers, per archive path, its size, mtime and the image names
// ctr reported; an archive is imported again when its size or mtime changed or when one of
// those names is missing from `ctr images ls` (e.g. containerd's root was wiped).
//
// Blocking (runs ctr as child processes); call from one thread at a time per state file.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "base/status.h"

namespace kite::agent {

struct ImageImportOptions {
  std::string ctr_bin = "ctr";
  std::string address;  // containerd socket path (no unix:// prefix)
  std::string ns = "k8s.io";
  std::vector<std::string> dirs;  // missing dirs are ignored
  std::string state_file;         // "" = never skip
  // Where ctr's output is captured and compressed archives are decompressed (hidden temp
  // files, removed after use); "" = /tmp. Prefer a disk-backed dir: archives can be large.
  std::string scratch_dir;
  std::chrono::milliseconds timeout{300000};  // per ctr invocation
};

struct ImageImportResult {
  std::vector<std::string> imported;  // archive paths imported now
  std::vector<std::string> skipped;   // archive paths already imported
  std::vector<std::string> images;    // image names ctr reported for the imported archives
};

// The archives import_images() would consider, sorted.
std::vector<std::string> find_image_archives(const std::vector<std::string>& dirs);

// Imports what is new. Archives that fail are reported together in one error (the others are
// still imported and recorded).
base::Result<ImageImportResult> import_images(const ImageImportOptions& options);

// Image names in the namespace (`ctr images ls -q`).
base::Result<std::vector<std::string>> list_images(const ImageImportOptions& options);

}  // namespace kite::agent
