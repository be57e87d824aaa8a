// Writes a pod's PodScheduled condition as kube-scheduler does when a pod cannot be placed:
// status False, the reason (Unschedulable, or SchedulerError) and the FailedScheduling
// message, via a strategic merge patch of the pod's "status" subresource (conditions merge
// by type). lastTransitionTime moves only when the condition's status changes.
// Thread-safe (a free function over a thread-safe client).
#pragma once

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "client/client.h"
#include "scheduler/pod_info.h"

namespace kite::scheduler {

base::Result<nlohmann::json> set_unschedulable_condition(client::Client& client, const PodInfo& pod,
                                                         const std::string& reason, const std::string& message,
                                                         base::Clock::time_point now);

}  // namespace kite::scheduler
