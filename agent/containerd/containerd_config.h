// Renders containerd's config.toml (version = 2) for the agent's own containerd.
//
// render_containerd_config() is a pure function of the options, the derived paths and the
// registries: root/state, [grpc]/[ttrpc] addresses, the opt plugin path, and the CRI plugin
// settings these machines need (see /work/shared/notes/verified-facts.md: sandbox_image,
// restrict_oom_score_adj, disable_apparmor, netns_mounts_under_state_dir, stream server,
// enable_selinux = false, CNI dirs, runc with SystemdCgroup = false and its own Root) plus the
// registries as containerd 1.6 CRI registry mirrors/configs. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "agent/containerd/containerd_options.h"
#include "agent/containerd/registries.h"

namespace kite::agent {

std::string render_containerd_config(const ContainerdOptions& options, const ContainerdPaths& paths,
                                     const Registries& registries);

// A TOML basic string literal, quoted and escaped.
std::string toml_string(std::string_view s);

}  // namespace kite::agent
