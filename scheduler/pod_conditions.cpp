#include "scheduler/pod_conditions.h"

#include "base/ids.h"

namespace kite::scheduler {

base::Result<nlohmann::json> set_unschedulable_condition(client::Client& client, const PodInfo& pod,
                                                         const std::string& reason, const std::string& message,
                                                         base::Clock::time_point now) {
  nlohmann::json cond = {{"type", "PodScheduled"},
                         {"status", "False"},
                         {"reason", reason},
                         {"message", message},
                         {"lastProbeTime", nullptr}};
  if (pod.scheduled_status != "False") cond["lastTransitionTime"] = base::rfc3339(now);
  nlohmann::json patch = {{"status", {{"conditions", nlohmann::json::array({cond})}}}};
  return client.patch(client::resources::kPods, pod.ns, pod.name, client::PatchType::kStrategicMerge, patch,
                      "status");
}

}  // namespace kite::scheduler
