// The arithmetic of PodDisruptionBudget status (see disruption_controller.h). Pure; thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "client/informer.h"

namespace kite::controllers::disruption {

using client::json;
using time_point = std::chrono::system_clock::time_point;

inline constexpr std::chrono::minutes kDeletionTimeout{2};

// An IntOrString: an int, or "N%" scaled on `total` (rounded up when round_up). BadRequest for
// anything else.
base::Result<int64_t> scaled_value(const json& int_or_percent, int64_t total, bool round_up);

// The controller whose scale governs a pod, by the pod's controllerRef (kind/name/uid in the
// pod's namespace): its uid (a Deployment's for a ReplicaSet it controls) and replicas;
// nullopt when no known controller matches.
struct ControllerScale {
  std::string uid;
  int64_t replicas = 0;
};
using ScaleLookup =
    std::function<base::Result<std::optional<ControllerScale>>(const std::string& ns, const json& controller_ref)>;

struct PdbCounts {
  int64_t expected = 0;
  int64_t desired_healthy = 0;
  int64_t current_healthy = 0;
  int64_t disruptions_allowed = 0;
  json disrupted_pods = json::object();  // the entries still in force
};

// Computes the counts for `pdb` over its selected `pods`. Errors become SyncFailed.
base::Result<PdbCounts> compute_counts(const json& pdb, const std::vector<client::ObjectPtr>& pods,
                                       const ScaleLookup& scale, time_point now);

// The new status (observedGeneration, counts, disruptedPods, DisruptionAllowed condition);
// `failure` set means SyncFailed. The condition keeps lastTransitionTime when its status is
// unchanged.
json status_for(const json& pdb, const PdbCounts& counts, const std::string& failure, time_point now);

// The earliest time a disruptedPods entry expires, if any (to recheck then).
std::optional<time_point> next_expiry(const json& disrupted_pods);

}  // namespace kite::controllers::disruption
