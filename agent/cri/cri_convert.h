// Conversions between agent::Runtime's plain structs (agent/runtime/runtime.h) and the CRI v1
// protobuf messages (proto/cri/api.proto). Pure functions: no I/O, no state; unit-tested in
// tests/agent/cri/cri_convert_test.cpp. Safe to call from any thread.
//
// What they add beyond copying fields, as kubelet does:
//   - namespaces: network/ipc POD (NODE with host_network/host_ipc), pid CONTAINER (NODE with
//     host_pid), for the sandbox and again for each container;
//   - a container's run_as_user/run_as_group default to the pod's, and its supplemental groups
//     are the pod's followed by its own (duplicates dropped);
//   - unprivileged containers get kubelet's default masked and read-only /proc and /sys paths;
//   - a host-network sandbox gets no hostname (it shares the node's UTS namespace);
//   - mount propagation "rslave" -> HOST_TO_CONTAINER, "rshared" -> BIDIRECTIONAL, else PRIVATE;
//   - port protocols are matched case-insensitively; anything unknown is TCP.
#pragma once

#include <string>
#include <vector>

#include "agent/runtime/runtime.h"
#include "proto/cri/api.pb.h"

namespace kite::agent::cri {

namespace v1 = ::runtime::v1;

// Requests.
v1::PodSandboxConfig to_cri_sandbox_config(const SandboxConfig& config);
v1::ContainerConfig to_cri_container_config(const ContainerConfig& config, const SandboxConfig& sandbox);
v1::LinuxContainerResources to_cri_resources(const ContainerResources& resources);
v1::PodSandboxFilter to_cri_sandbox_filter(const SandboxFilter& filter);
v1::ContainerFilter to_cri_container_filter(const ContainerFilter& filter);
v1::AuthConfig to_cri_auth(const RegistryAuth& auth);
v1::Protocol to_cri_protocol(const std::string& protocol);
v1::MountPropagation to_cri_propagation(const std::string& propagation);

// Responses.
RuntimeVersion from_cri_version(const v1::VersionResponse& response);
SandboxState from_cri_sandbox_state(v1::PodSandboxState state);
ContainerState from_cri_container_state(v1::ContainerState state);
SandboxStatus from_cri_sandbox_status(const v1::PodSandboxStatus& status);
SandboxStatus from_cri_sandbox(const v1::PodSandbox& sandbox);      // ListPodSandbox item (no IPs)
ContainerStatus from_cri_container_status(const v1::ContainerStatus& status);
// ListContainers item: id, sandbox_id, name, attempt, state, created_at, image, image_ref,
// labels, annotations (no exit code, times or log path: ask container_status for those).
ContainerStatus from_cri_container(const v1::Container& container);
ImageInfo from_cri_image(const v1::Image& image);

// kubelet's defaults for unprivileged containers (procMount Default).
const std::vector<std::string>& default_masked_paths();
const std::vector<std::string>& default_readonly_paths();

}  // namespace kite::agent::cri
