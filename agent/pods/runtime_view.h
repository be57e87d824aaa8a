// PodRuntimeView: what the runtime holds for one pod (its sandboxes and containers, found by
// the io.kubernetes.pod.uid label), newest first, with the lookups the pod worker and status
// need: the latest sandbox, the newest and previous instance of a container, its restart count
// (io.kubernetes.container.restartCount) and spec hash. A snapshot; safe to read from any thread.
#pragma once

#include <string>
#include <vector>

#include "agent/runtime/runtime.h"
#include "base/clock.h"

namespace kite::agent::pods {

struct PodRuntimeView {
  std::vector<SandboxStatus> sandboxes;     // newest first
  std::vector<ContainerStatus> containers;  // newest first

  const SandboxStatus* latest_sandbox() const;
  int ready_sandboxes() const;
  // The newest / second newest instance of the container `name`.
  const ContainerStatus* latest(const std::string& name) const;
  const ContainerStatus* previous(const std::string& name) const;
  bool empty() const { return sandboxes.empty() && containers.empty(); }
};

Result<PodRuntimeView> read_pod_runtime(Runtime& runtime, const std::string& pod_uid);
// The runtime state of one pod as the relist compares it (ids and states of its sandboxes and
// containers, independent of order): equal strings = nothing changed.
std::string runtime_signature(const std::vector<SandboxStatus>& sandboxes,
                              const std::vector<ContainerStatus>& containers);
// Sorts newest first (created_at, then attempt).
void sort_newest_first(PodRuntimeView& view);

std::string container_name_of(const ContainerStatus& c);
int restart_count_of(const ContainerStatus& c);
std::string hash_of(const ContainerStatus& c);
std::string label_of(const Labels& labels, const std::string& key);
// A CRI timestamp as a clock time.
base::Clock::time_point time_of(UnixNanos ns);

}  // namespace kite::agent::pods
