// ContainerdOptions: how the agent runs its own containerd, and the paths derived from them.
//
// Paths follow k3s's layout under the agent's data dir: config at
// <data-dir>/agent/etc/containerd/config.toml, root <data-dir>/agent/containerd, state
// /run/kite/containerd (overridable so several simulated nodes on one machine do not collide),
// socket <state>/containerd.sock, log <data-dir>/agent/containerd/containerd.log. Plain data;
// containerd_paths() is a pure function. Thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace kite::agent {

struct ContainerdOptions {
  std::string data_dir = "/var/lib/kite";  // <data-dir>
  std::string state_dir;                   // "" = /run/kite/containerd
  std::string containerd_bin = "containerd";
  std::string ctr_bin = "ctr";
  // Prepended to containerd's argv, e.g. {"nsenter", "--net=/var/run/netns/node1", "--"} for a
  // simulated node (nsenter execs, so the supervised PID is containerd's own).
  std::vector<std::string> command_prefix;
  std::string sandbox_image = "kite.local/pause:3.10";
  std::string node_ip;  // CRI stream server address; "" = 127.0.0.1
  std::string stream_server_port = "10010";
  std::string cni_bin_dir = "/usr/lib/cni";
  std::string cni_conf_dir;                                   // "" = <data-dir>/agent/etc/cni/net.d
  std::string registries_file = "/etc/kite/registries.yaml";  // missing file = no registries
  // Directories whose *.tar / *.tar.gz / *.tar.zst archives are imported at start, in addition
  // to <data-dir>/agent/images (always scanned).
  std::vector<std::string> image_dirs;
  std::chrono::milliseconds ready_timeout{30000};      // socket must answer within this
  std::chrono::milliseconds stop_grace{15000};         // SIGTERM -> SIGKILL
  std::chrono::milliseconds restart_backoff_min{500};  // first restart delay, doubles
  std::chrono::milliseconds restart_backoff_max{30000};
  std::chrono::milliseconds import_timeout{300000};  // per archive
};

struct ContainerdPaths {
  std::string config_file;        // <data-dir>/agent/etc/containerd/config.toml
  std::string root_dir;           // <data-dir>/agent/containerd
  std::string state_dir;          // options.state_dir or /run/kite/containerd
  std::string socket;             // <state>/containerd.sock
  std::string log_file;           // <data-dir>/agent/containerd/containerd.log
  std::string pid_file;           // <state>/kite-containerd.pid (the PID kite started)
  std::string runc_root;          // <state>/runc
  std::string cni_conf_dir;       // options.cni_conf_dir or <data-dir>/agent/etc/cni/net.d
  std::string images_dir;         // <data-dir>/agent/images
  std::string import_state_file;  // <data-dir>/agent/images/.imported
};

ContainerdPaths containerd_paths(const ContainerdOptions& options);

}  // namespace kite::agent
