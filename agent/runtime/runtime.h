// agent::Runtime: the container runtime as the agent's pod workers, streaming server and
// node status see it. It is a plain-C++ mirror of the subset of CRI v1 (RuntimeService and
// ImageService) that kite uses, so that everything above it is testable without containerd.
// Implementations:
//   - CriRuntime (agent/cri/cri_runtime.h): gRPC to containerd's CRI plugin;
//   - FakeRuntime (agent/runtime/fake_runtime.h): in memory, with scripted failures and exits,
//     for unit tests.
//
// Errors: every call returns base::Result; a missing sandbox/container/image is NotFound, an
// unreachable runtime ServiceUnavailable, anything else the runtime refuses InternalError with
// the runtime's message (e.g. "failed to pull image ...: not found").
// Threads: every method may be called from any thread concurrently; calls block (gRPC sync)
// and must never run on an Asio strand.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace kite::agent {

using base::Result;
using Labels = std::map<std::string, std::string>;

// Times are nanoseconds since the Unix epoch, as CRI reports them (0 = unset).
using UnixNanos = int64_t;

struct RuntimeVersion {
  std::string runtime_name;        // "containerd"
  std::string runtime_version;     // "1.6.20"
  std::string runtime_api_version; // "v1"
};

struct PortMapping {
  std::string protocol = "TCP";  // TCP, UDP, SCTP
  int32_t container_port = 0;
  int32_t host_port = 0;
  std::string host_ip;
};

struct DnsConfig {
  std::vector<std::string> servers;
  std::vector<std::string> searches;
  std::vector<std::string> options;
};

// What RunPodSandbox needs (CRI PodSandboxConfig).
struct SandboxConfig {
  std::string name, namespace_, uid;  // the pod's metadata
  uint32_t attempt = 0;
  std::string hostname;
  std::string log_directory;          // /var/log/pods/<ns>_<name>_<uid> style; containers log below
  std::optional<DnsConfig> dns;
  std::vector<PortMapping> port_mappings;
  Labels labels, annotations;
  std::string cgroup_parent;
  bool host_network = false, host_pid = false, host_ipc = false;
  std::map<std::string, std::string> sysctls;
  std::optional<int64_t> run_as_user, run_as_group;
  std::vector<int64_t> supplemental_groups;
  bool privileged = false;
};

struct Mount {
  std::string container_path;
  std::string host_path;
  bool readonly = false;
  // "", "rprivate", "rslave", "rshared" (CRI MountPropagation); "" = private.
  std::string propagation;
};

struct KeyValue {
  std::string key, value;
};

struct ContainerResources {
  int64_t cpu_period = 0;       // CFS period in µs (0 = unset)
  int64_t cpu_quota = 0;        // CFS quota in µs (0 = unlimited)
  int64_t cpu_shares = 0;       // 2..262144 (0 = unset)
  int64_t memory_limit_bytes = 0;  // 0 = unlimited
  int64_t oom_score_adj = 0;
};

struct ContainerSecurity {
  std::optional<int64_t> run_as_user, run_as_group;
  std::string run_as_username;
  std::vector<int64_t> supplemental_groups;
  bool privileged = false;
  bool readonly_rootfs = false;
  bool no_new_privs = false;
  std::vector<std::string> add_capabilities, drop_capabilities;  // without the CAP_ prefix
};

// What CreateContainer needs (CRI ContainerConfig).
struct ContainerConfig {
  std::string name;
  uint32_t attempt = 0;
  std::string image;                 // an image reference or ID that image_status() finds
  std::vector<std::string> command;  // entrypoint override (pod's `command`)
  std::vector<std::string> args;
  std::string working_dir;
  std::vector<KeyValue> envs;
  std::vector<Mount> mounts;
  Labels labels, annotations;
  std::string log_path;              // relative to the sandbox's log_directory
  bool stdin_ = false, stdin_once = false, tty = false;
  ContainerResources resources;
  ContainerSecurity security;
};

enum class SandboxState { kReady, kNotReady };

struct SandboxStatus {
  std::string id;
  std::string name, namespace_, uid;  // metadata
  uint32_t attempt = 0;
  SandboxState state = SandboxState::kNotReady;
  UnixNanos created_at = 0;
  std::string ip;                     // "" for host-network or not yet networked
  std::vector<std::string> additional_ips;
  Labels labels, annotations;
};

struct SandboxFilter {
  std::string id;                     // "" = any
  std::optional<SandboxState> state;
  Labels label_selector;              // all must match
};

enum class ContainerState { kCreated, kRunning, kExited, kUnknown };

struct ContainerStatus {
  std::string id;
  std::string sandbox_id;             // set by list_containers(); may be "" from container_status()
  std::string name;
  uint32_t attempt = 0;
  ContainerState state = ContainerState::kUnknown;
  UnixNanos created_at = 0, started_at = 0, finished_at = 0;
  int32_t exit_code = 0;
  std::string image;                  // the image as requested
  std::string image_ref;              // the image ID/digest the runtime resolved (status.imageID)
  std::string reason;                 // e.g. "Completed", "Error", "OOMKilled"
  std::string message;
  std::string log_path;               // absolute path of the container's CRI log file
  Labels labels, annotations;
};

struct ContainerFilter {
  std::string id;                     // "" = any
  std::string sandbox_id;             // "" = any
  std::optional<ContainerState> state;
  Labels label_selector;
};

struct ExecResult {
  int32_t exit_code = 0;
  std::string stdout_, stderr_;
};

struct StreamRequest {                // Exec and Attach
  std::string container_id;
  std::vector<std::string> cmd;       // Exec only
  bool tty = false, stdin_ = false, stdout_ = true, stderr_ = true;
};

struct ImageInfo {
  std::string id;                     // sha256:...
  std::vector<std::string> repo_tags, repo_digests;
  uint64_t size = 0;
};

struct RegistryAuth {                 // from an imagePullSecret (CRI AuthConfig)
  std::string username, password, auth, server_address, identity_token, registry_token;
};

class Runtime {
 public:
  virtual ~Runtime() = default;

  virtual Result<RuntimeVersion> version() = 0;

  // Sandboxes.
  virtual Result<std::string> run_pod_sandbox(const SandboxConfig& config) = 0;  // -> sandbox id
  virtual Result<void> stop_pod_sandbox(const std::string& sandbox_id) = 0;       // idempotent
  virtual Result<void> remove_pod_sandbox(const std::string& sandbox_id) = 0;     // idempotent
  virtual Result<SandboxStatus> pod_sandbox_status(const std::string& sandbox_id) = 0;
  virtual Result<std::vector<SandboxStatus>> list_pod_sandboxes(const SandboxFilter& filter = {}) = 0;

  // Containers. create_container needs the sandbox's config again (CRI requires it).
  virtual Result<std::string> create_container(const std::string& sandbox_id, const ContainerConfig& config,
                                               const SandboxConfig& sandbox_config) = 0;  // -> id
  virtual Result<void> start_container(const std::string& container_id) = 0;
  // Sends the stop signal, waits up to `timeout`, then kills. Idempotent.
  virtual Result<void> stop_container(const std::string& container_id, std::chrono::seconds timeout) = 0;
  virtual Result<void> remove_container(const std::string& container_id) = 0;  // idempotent
  virtual Result<ContainerStatus> container_status(const std::string& container_id) = 0;
  virtual Result<std::vector<ContainerStatus>> list_containers(const ContainerFilter& filter = {}) = 0;
  virtual Result<void> update_container_resources(const std::string& container_id,
                                                  const ContainerResources& resources) = 0;

  // Runs `cmd` in the container and waits (probes, hooks). timeout 0 = no limit.
  virtual Result<ExecResult> exec_sync(const std::string& container_id, const std::vector<std::string>& cmd,
                                       std::chrono::seconds timeout) = 0;
  // Streaming: each returns a one-shot URL on the runtime's stream server that speaks the
  // Kubernetes remotecommand / portforward protocols (SPDY/3.1 and WebSocket channel.k8s.io).
  virtual Result<std::string> exec(const StreamRequest& request) = 0;
  virtual Result<std::string> attach(const StreamRequest& request) = 0;
  virtual Result<std::string> port_forward(const std::string& sandbox_id, const std::vector<int32_t>& ports) = 0;

  // Images. image_status returns nullopt when the image is not present.
  virtual Result<std::optional<ImageInfo>> image_status(const std::string& image) = 0;
  virtual Result<std::string> pull_image(const std::string& image, const std::optional<RegistryAuth>& auth,
                                         const SandboxConfig& sandbox_config) = 0;  // -> image ref
  virtual Result<std::vector<ImageInfo>> list_images() = 0;
  virtual Result<void> remove_image(const std::string& image) = 0;
};

}  // namespace kite::agent
