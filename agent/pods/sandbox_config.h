// The CRI sandbox config kubelet would generate for a pod: metadata and attempt, hostname,
// DNS per dnsPolicy (ClusterFirst, ClusterFirstWithHostNet, Default, None, merged with
// spec.dnsConfig), hostNetwork/PID/IPC, hostPort mappings, sysctls, the pod security context,
// labels/annotations (pod_spec.h), log directory and cgroup parent. Pure apart from reading the
// host's resolv.conf; safe from any thread.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "agent/runtime/runtime.h"

namespace kite::agent::pods {

struct SandboxSettings {
  std::string cluster_dns;            // "" = no cluster DNS (ClusterFirst then uses the host's)
  std::string cluster_domain = "cluster.local";
  std::string log_root = "/var/log/pods";
  std::string cgroup_parent;          // the node's pod cgroup root; pods get <parent>/pod<uid>
  std::string resolv_conf = "/etc/resolv.conf";
};

// A parsed resolv.conf (missing file = empty).
DnsConfig read_resolv_conf(const std::string& path);

DnsConfig pod_dns_config(const nlohmann::json& pod, const SandboxSettings& settings);
SandboxConfig make_sandbox_config(const nlohmann::json& pod, uint32_t attempt, const SandboxSettings& settings);
// The pod's cgroup directory (<cgroup_parent>/pod<uid>), "" without a cgroup parent.
std::string pod_cgroup_parent(const nlohmann::json& pod, const SandboxSettings& settings);

}  // namespace kite::agent::pods
