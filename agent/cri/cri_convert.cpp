#include "agent/cri/cri_convert.h"

#include <algorithm>
#include <cctype>

namespace kite::agent::cri {
namespace {

void copy_map(const Labels& from, google::protobuf::Map<std::string, std::string>* to) {
  for (const auto& [k, v] : from) (*to)[k] = v;
}

Labels to_labels(const google::protobuf::Map<std::string, std::string>& from) {
  return Labels(from.begin(), from.end());
}

std::vector<std::string> to_vector(const google::protobuf::RepeatedPtrField<std::string>& from) {
  return std::vector<std::string>(from.begin(), from.end());
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

v1::NamespaceOption namespaces_for(const SandboxConfig& sandbox) {
  v1::NamespaceOption ns;
  ns.set_network(sandbox.host_network ? v1::NODE : v1::POD);
  ns.set_pid(sandbox.host_pid ? v1::NODE : v1::CONTAINER);
  ns.set_ipc(sandbox.host_ipc ? v1::NODE : v1::POD);
  return ns;
}

}  // namespace

const std::vector<std::string>& default_masked_paths() {
  static const std::vector<std::string> paths = {
      "/proc/asound",       "/proc/acpi",      "/proc/kcore",       "/proc/keys",
      "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
      "/proc/scsi",         "/sys/firmware",   "/sys/devices/virtual/powercap",
  };
  return paths;
}

const std::vector<std::string>& default_readonly_paths() {
  static const std::vector<std::string> paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                                 "/proc/sysrq-trigger"};
  return paths;
}

v1::Protocol to_cri_protocol(const std::string& protocol) {
  const std::string p = upper(protocol);
  if (p == "UDP") return v1::UDP;
  if (p == "SCTP") return v1::SCTP;
  return v1::TCP;
}

v1::MountPropagation to_cri_propagation(const std::string& propagation) {
  if (propagation == "rslave") return v1::PROPAGATION_HOST_TO_CONTAINER;
  if (propagation == "rshared") return v1::PROPAGATION_BIDIRECTIONAL;
  return v1::PROPAGATION_PRIVATE;
}

v1::PodSandboxConfig to_cri_sandbox_config(const SandboxConfig& config) {
  v1::PodSandboxConfig out;
  auto* md = out.mutable_metadata();
  md->set_name(config.name);
  md->set_namespace_(config.namespace_);
  md->set_uid(config.uid);
  md->set_attempt(config.attempt);
  // As kubelet: a host-network pod has the node's UTS namespace, so no hostname of its own
  // (runc refuses to set one without a private UTS namespace).
  if (!config.host_network) out.set_hostname(config.hostname);
  out.set_log_directory(config.log_directory);
  if (config.dns) {
    auto* dns = out.mutable_dns_config();
    for (const auto& s : config.dns->servers) dns->add_servers(s);
    for (const auto& s : config.dns->searches) dns->add_searches(s);
    for (const auto& s : config.dns->options) dns->add_options(s);
  }
  for (const auto& pm : config.port_mappings) {
    auto* p = out.add_port_mappings();
    p->set_protocol(to_cri_protocol(pm.protocol));
    p->set_container_port(pm.container_port);
    p->set_host_port(pm.host_port);
    p->set_host_ip(pm.host_ip);
  }
  copy_map(config.labels, out.mutable_labels());
  copy_map(config.annotations, out.mutable_annotations());

  auto* linux_config = out.mutable_linux();
  linux_config->set_cgroup_parent(config.cgroup_parent);
  copy_map(config.sysctls, linux_config->mutable_sysctls());
  auto* sc = linux_config->mutable_security_context();
  *sc->mutable_namespace_options() = namespaces_for(config);
  if (config.run_as_user) sc->mutable_run_as_user()->set_value(*config.run_as_user);
  if (config.run_as_group) sc->mutable_run_as_group()->set_value(*config.run_as_group);
  for (auto g : config.supplemental_groups) sc->add_supplemental_groups(g);
  sc->set_privileged(config.privileged);
  return out;
}

v1::LinuxContainerResources to_cri_resources(const ContainerResources& resources) {
  v1::LinuxContainerResources out;
  out.set_cpu_period(resources.cpu_period);
  out.set_cpu_quota(resources.cpu_quota);
  out.set_cpu_shares(resources.cpu_shares);
  out.set_memory_limit_in_bytes(resources.memory_limit_bytes);
  out.set_oom_score_adj(resources.oom_score_adj);
  return out;
}

v1::ContainerConfig to_cri_container_config(const ContainerConfig& config, const SandboxConfig& sandbox) {
  v1::ContainerConfig out;
  out.mutable_metadata()->set_name(config.name);
  out.mutable_metadata()->set_attempt(config.attempt);
  out.mutable_image()->set_image(config.image);
  for (const auto& c : config.command) out.add_command(c);
  for (const auto& a : config.args) out.add_args(a);
  out.set_working_dir(config.working_dir);
  for (const auto& kv : config.envs) {
    auto* e = out.add_envs();
    e->set_key(kv.key);
    e->set_value(kv.value);
  }
  for (const auto& m : config.mounts) {
    auto* cm = out.add_mounts();
    cm->set_container_path(m.container_path);
    cm->set_host_path(m.host_path);
    cm->set_readonly(m.readonly);
    cm->set_propagation(to_cri_propagation(m.propagation));
  }
  copy_map(config.labels, out.mutable_labels());
  copy_map(config.annotations, out.mutable_annotations());
  out.set_log_path(config.log_path);
  out.set_stdin(config.stdin_);
  out.set_stdin_once(config.stdin_once);
  out.set_tty(config.tty);

  auto* linux_config = out.mutable_linux();
  *linux_config->mutable_resources() = to_cri_resources(config.resources);
  auto* sc = linux_config->mutable_security_context();
  const ContainerSecurity& sec = config.security;
  for (const auto& c : sec.add_capabilities) sc->mutable_capabilities()->add_add_capabilities(c);
  for (const auto& c : sec.drop_capabilities) sc->mutable_capabilities()->add_drop_capabilities(c);
  sc->set_privileged(sec.privileged);
  *sc->mutable_namespace_options() = namespaces_for(sandbox);
  if (auto uid = sec.run_as_user ? sec.run_as_user : sandbox.run_as_user) sc->mutable_run_as_user()->set_value(*uid);
  if (auto gid = sec.run_as_group ? sec.run_as_group : sandbox.run_as_group) {
    sc->mutable_run_as_group()->set_value(*gid);
  }
  sc->set_run_as_username(sec.run_as_username);
  sc->set_readonly_rootfs(sec.readonly_rootfs);
  std::vector<int64_t> groups;
  for (const auto* list : {&sandbox.supplemental_groups, &sec.supplemental_groups}) {
    for (auto g : *list) {
      if (std::find(groups.begin(), groups.end(), g) == groups.end()) groups.push_back(g);
    }
  }
  for (auto g : groups) sc->add_supplemental_groups(g);
  sc->set_no_new_privs(sec.no_new_privs);
  if (!sec.privileged) {
    for (const auto& p : default_masked_paths()) sc->add_masked_paths(p);
    for (const auto& p : default_readonly_paths()) sc->add_readonly_paths(p);
  }
  return out;
}

v1::PodSandboxFilter to_cri_sandbox_filter(const SandboxFilter& filter) {
  v1::PodSandboxFilter out;
  out.set_id(filter.id);
  if (filter.state) {
    out.mutable_state()->set_state(*filter.state == SandboxState::kReady ? v1::SANDBOX_READY : v1::SANDBOX_NOTREADY);
  }
  copy_map(filter.label_selector, out.mutable_label_selector());
  return out;
}

v1::ContainerFilter to_cri_container_filter(const ContainerFilter& filter) {
  v1::ContainerFilter out;
  out.set_id(filter.id);
  out.set_pod_sandbox_id(filter.sandbox_id);
  if (filter.state) {
    v1::ContainerState s = v1::CONTAINER_UNKNOWN;
    switch (*filter.state) {
      case ContainerState::kCreated: s = v1::CONTAINER_CREATED; break;
      case ContainerState::kRunning: s = v1::CONTAINER_RUNNING; break;
      case ContainerState::kExited: s = v1::CONTAINER_EXITED; break;
      case ContainerState::kUnknown: s = v1::CONTAINER_UNKNOWN; break;
    }
    out.mutable_state()->set_state(s);
  }
  copy_map(filter.label_selector, out.mutable_label_selector());
  return out;
}

v1::AuthConfig to_cri_auth(const RegistryAuth& auth) {
  v1::AuthConfig out;
  out.set_username(auth.username);
  out.set_password(auth.password);
  out.set_auth(auth.auth);
  out.set_server_address(auth.server_address);
  out.set_identity_token(auth.identity_token);
  out.set_registry_token(auth.registry_token);
  return out;
}

RuntimeVersion from_cri_version(const v1::VersionResponse& response) {
  return RuntimeVersion{response.runtime_name(), response.runtime_version(), response.runtime_api_version()};
}

SandboxState from_cri_sandbox_state(v1::PodSandboxState state) {
  return state == v1::SANDBOX_READY ? SandboxState::kReady : SandboxState::kNotReady;
}

ContainerState from_cri_container_state(v1::ContainerState state) {
  switch (state) {
    case v1::CONTAINER_CREATED: return ContainerState::kCreated;
    case v1::CONTAINER_RUNNING: return ContainerState::kRunning;
    case v1::CONTAINER_EXITED: return ContainerState::kExited;
    default: return ContainerState::kUnknown;
  }
}

SandboxStatus from_cri_sandbox_status(const v1::PodSandboxStatus& status) {
  SandboxStatus out;
  out.id = status.id();
  out.name = status.metadata().name();
  out.namespace_ = status.metadata().namespace_();
  out.uid = status.metadata().uid();
  out.attempt = status.metadata().attempt();
  out.state = from_cri_sandbox_state(status.state());
  out.created_at = status.created_at();
  out.ip = status.network().ip();
  for (const auto& ip : status.network().additional_ips()) out.additional_ips.push_back(ip.ip());
  out.labels = to_labels(status.labels());
  out.annotations = to_labels(status.annotations());
  return out;
}

SandboxStatus from_cri_sandbox(const v1::PodSandbox& sandbox) {
  SandboxStatus out;
  out.id = sandbox.id();
  out.name = sandbox.metadata().name();
  out.namespace_ = sandbox.metadata().namespace_();
  out.uid = sandbox.metadata().uid();
  out.attempt = sandbox.metadata().attempt();
  out.state = from_cri_sandbox_state(sandbox.state());
  out.created_at = sandbox.created_at();
  out.labels = to_labels(sandbox.labels());
  out.annotations = to_labels(sandbox.annotations());
  return out;
}

ContainerStatus from_cri_container_status(const v1::ContainerStatus& status) {
  ContainerStatus out;
  out.id = status.id();
  out.name = status.metadata().name();
  out.attempt = status.metadata().attempt();
  out.state = from_cri_container_state(status.state());
  out.created_at = status.created_at();
  out.started_at = status.started_at();
  out.finished_at = status.finished_at();
  out.exit_code = status.exit_code();
  out.image = status.image().image();
  out.image_ref = status.image_ref();
  out.reason = status.reason();
  out.message = status.message();
  out.log_path = status.log_path();
  out.labels = to_labels(status.labels());
  out.annotations = to_labels(status.annotations());
  return out;
}

ContainerStatus from_cri_container(const v1::Container& container) {
  ContainerStatus out;
  out.id = container.id();
  out.sandbox_id = container.pod_sandbox_id();
  out.name = container.metadata().name();
  out.attempt = container.metadata().attempt();
  out.state = from_cri_container_state(container.state());
  out.created_at = container.created_at();
  out.image = container.image().image();
  out.image_ref = container.image_ref();
  out.labels = to_labels(container.labels());
  out.annotations = to_labels(container.annotations());
  return out;
}

ImageInfo from_cri_image(const v1::Image& image) {
  ImageInfo out;
  out.id = image.id();
  out.repo_tags = to_vector(image.repo_tags());
  out.repo_digests = to_vector(image.repo_digests());
  out.size = image.size();
  return out;
}

}  // namespace kite::agent::cri
