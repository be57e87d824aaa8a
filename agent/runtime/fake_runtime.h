// FakeRuntime: an in-memory agent::Runtime for unit tests of everything above the CRI (pod
// workers, probes, status, streaming lookups).
//
// Sandboxes and containers live in maps with ids "sb-<n>" / "ctr-<n>" (stable per instance),
// states and timestamps taken from the injected base::Clock (so created/started/finished times
// agree with a test's ManualClock). Behaviour follows containerd's CRI plugin in the simple
// cases kite relies on: creating a container needs a ready sandbox and a present image;
// stop_pod_sandbox stops the sandbox's containers (exit 137 "Error", as SIGKILL); remove_* is
// idempotent; pull_image makes an image present unless a pull failure was scripted for it.
// Sandboxes get IPs 10.42.0.<n> (none with host networking).
//
// Scripting: exit_container() ends a running container with an exit code and reason;
// set_exec_result() scripts exec_sync per command; fail() injects errors per method; every call
// is appended to a call log (calls()) with its main argument, so tests can assert the exact
// CRI sequence. Thread-safe: one mutex guards everything; wait_for() lets tests block until a
// predicate holds, with a real-time deadline.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/runtime/runtime.h"
#include "base/clock.h"

namespace kite::agent {

struct FakeRuntimeCall {
  std::string method;    // "run_pod_sandbox", "create_container", "stop_container", ...
  std::string target;    // sandbox/container id, image, or container name (create_container)
  std::string detail;    // method-specific: stop timeout seconds, exec command joined by ' ', pull auth user
};

class FakeRuntime final : public Runtime {
 public:
  explicit FakeRuntime(const base::Clock& clock = base::real_clock());
  ~FakeRuntime() override;

  Result<RuntimeVersion> version() override;
  Result<std::string> run_pod_sandbox(const SandboxConfig& config) override;
  Result<void> stop_pod_sandbox(const std::string& sandbox_id) override;
  Result<void> remove_pod_sandbox(const std::string& sandbox_id) override;
  Result<SandboxStatus> pod_sandbox_status(const std::string& sandbox_id) override;
  Result<std::vector<SandboxStatus>> list_pod_sandboxes(const SandboxFilter& filter = {}) override;
  Result<std::string> create_container(const std::string& sandbox_id, const ContainerConfig& config,
                                       const SandboxConfig& sandbox_config) override;
  Result<void> start_container(const std::string& container_id) override;
  Result<void> stop_container(const std::string& container_id, std::chrono::seconds timeout) override;
  Result<void> remove_container(const std::string& container_id) override;
  Result<ContainerStatus> container_status(const std::string& container_id) override;
  Result<std::vector<ContainerStatus>> list_containers(const ContainerFilter& filter = {}) override;
  Result<void> update_container_resources(const std::string& container_id,
                                          const ContainerResources& resources) override;
  Result<ExecResult> exec_sync(const std::string& container_id, const std::vector<std::string>& cmd,
                               std::chrono::seconds timeout) override;
  Result<std::string> exec(const StreamRequest& request) override;
  Result<std::string> attach(const StreamRequest& request) override;
  Result<std::string> port_forward(const std::string& sandbox_id, const std::vector<int32_t>& ports) override;
  Result<std::optional<ImageInfo>> image_status(const std::string& image) override;
  Result<std::string> pull_image(const std::string& image, const std::optional<RegistryAuth>& auth,
                                 const SandboxConfig& sandbox_config) override;
  Result<std::vector<ImageInfo>> list_images() override;
  Result<void> remove_image(const std::string& image) override;

  // --- Scripting ---
  // Makes `image` present (as if imported). References without a tag get ":latest".
  void add_image(const std::string& image, uint64_t size = 1000);
  // Pulls of `image` fail with InternalError `message` until clear_pull_failure().
  void set_pull_failure(const std::string& image, const std::string& message);
  void clear_pull_failure(const std::string& image);
  // Ends a running (or created) container: state exited, finished_at = now, `reason` ("" =
  // "Completed" for 0, "Error" otherwise). NotFound if absent.
  Result<void> exit_container(const std::string& container_id, int32_t exit_code, const std::string& reason = "");
  // Makes a ready sandbox NotReady (its containers exit 137), as if its pause process died.
  Result<void> kill_sandbox(const std::string& sandbox_id);
  // exec_sync of `cmd` (in any container) returns `result` (default: exit 0, no output).
  void set_exec_result(const std::vector<std::string>& cmd, ExecResult result);
  // exec_sync of `cmd` fails with `status` (e.g. Timeout).
  void set_exec_error(const std::vector<std::string>& cmd, base::Status status);
  // The exit code stop_container gives a running container (default 137, reason "Error").
  void set_stop_exit_code(int32_t code);
  // Every later call of `method` fails with `status`; `times` < 0 = until clear_failures().
  void fail(const std::string& method, base::Status status, int times = -1);
  void clear_failures();

  // --- Inspection ---
  std::vector<FakeRuntimeCall> calls() const;
  std::vector<FakeRuntimeCall> calls_of(const std::string& method) const;
  void clear_calls();
  // The configs as the runtime received them (NotFound when unknown).
  Result<SandboxConfig> sandbox_config(const std::string& sandbox_id) const;
  Result<ContainerConfig> container_config(const std::string& container_id) const;
  // The auth passed to the last pull of `image` (nullopt = anonymous or never pulled).
  std::optional<RegistryAuth> last_pull_auth(const std::string& image) const;
  // Blocks until `pred` holds or `timeout` (real time) passes; `pred` is re-evaluated after
  // every call or scripted change (not under the lock: it may call the methods above).
  bool wait_for(const std::function<bool(const FakeRuntime&)>& pred, std::chrono::milliseconds timeout) const;
  // Ids of containers named `name` (label io.kubernetes.container.name or config name), oldest first.
  std::vector<std::string> containers_named(const std::string& name) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace kite::agent
