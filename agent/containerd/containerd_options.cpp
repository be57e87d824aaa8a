#include "agent/containerd/containerd_options.h"

namespace kite::agent {
namespace {

std::string join(const std::string& a, const std::string& b) {
  if (!a.empty() && a.back() == '/') return a + b;
  return a + "/" + b;
}

}  // namespace

ContainerdPaths containerd_paths(const ContainerdOptions& options) {
  ContainerdPaths p;
  const std::string agent = join(options.data_dir, "agent");
  p.config_file = agent + "/etc/containerd/config.toml";
  p.root_dir = agent + "/containerd";
  p.state_dir = options.state_dir.empty() ? "/run/kite/containerd" : options.state_dir;
  p.socket = join(p.state_dir, "containerd.sock");
  p.log_file = p.root_dir + "/containerd.log";
  p.pid_file = join(p.state_dir, "kite-containerd.pid");
  p.runc_root = join(p.state_dir, "runc");
  p.cni_conf_dir = options.cni_conf_dir.empty() ? agent + "/etc/cni/net.d" : options.cni_conf_dir;
  p.images_dir = agent + "/images";
  p.import_state_file = p.images_dir + "/.imported";
  return p;
}

}  // namespace kite::agent
