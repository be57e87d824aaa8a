// The CRI container config kubelet would generate for one container of a pod: command/args,
// workingDir, env (resolved by the caller), mounts (from the volume manager), labels and
// annotations (pod_spec.h), log path `<name>/<restartCount>.log`, tty/stdin, resources as
// kubelet converts them on Linux (cpu shares from the request, CFS quota from the limit with a
// 100 ms period, memory limit, oom_score_adj by QoS class) and the security context with the
// pod's defaults. Pure; safe from any thread.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/runtime/runtime.h"
#include "base/status.h"

namespace kite::agent::pods {

// kubelet's MilliCPUToShares / MilliCPUToQuota.
int64_t milli_cpu_to_shares(int64_t milli);
int64_t milli_cpu_to_quota(int64_t milli, int64_t period);

// "Guaranteed", "Burstable" or "BestEffort", as the API server computes status.qosClass.
std::string pod_qos_class(const nlohmann::json& pod);
ContainerResources container_resources(const nlohmann::json& pod, const nlohmann::json& container,
                                       int64_t memory_capacity_bytes);
// Errors (CreateContainerConfigError) when runAsNonRoot contradicts an explicit runAsUser 0.
base::Result<ContainerSecurity> container_security(const nlohmann::json& pod, const nlohmann::json& container);

struct ContainerInputs {
  int restart_count = 0;
  std::string image;  // the image reference to create from (the resolved ref)
  std::vector<KeyValue> env;
  std::vector<Mount> mounts;
  int64_t memory_capacity_bytes = 0;  // node memory, for Burstable oom_score_adj
};
base::Result<ContainerConfig> make_container_config(const nlohmann::json& pod, const nlohmann::json& container,
                                                    const ContainerInputs& inputs);

// The node's physical memory in bytes.
int64_t machine_memory_bytes();

}  // namespace kite::agent::pods
