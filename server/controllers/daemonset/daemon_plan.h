// The DaemonSet controller's decisions, as pure functions of the DaemonSet, the nodes and the
// daemon pods grouped by target node (upstream manage/podsShouldBeOnNode, rollingUpdate and
// updateDaemonSetStatus):
//
//   - plan_manage(): nodes that should run a daemon pod and have none get one; pods on nodes
//     that should not keep one are deleted; failed pods are deleted (with per-node backoff);
//     succeeded pods are deleted; without surge, extra pods on a node are deleted but the
//     oldest; with surge, an old pod goes once the new pod on its node is available;
//     unscheduled pods aimed at nodes that no longer exist are deleted;
//   - plan_rolling_update(): with maxSurge 0, old pods are deleted while fewer than
//     maxUnavailable pods are unavailable (unavailable old pods always); with maxSurge > 0,
//     new pods are created next to old ones up to maxSurge and old pods deleted once the new
//     one is available;
//   - count_status(): desired/current/misscheduled/ready/updated/available/unavailable.
//
// FailedPodBackoff is thread-safe; the functions are pure otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/informer.h"

namespace kite::controllers::daemonset {

using json = nlohmann::json;
using TimePoint = std::chrono::system_clock::time_point;
// Node name -> the daemon pods aimed at it, scheduled first, then oldest first.
using NodePods = std::map<std::string, std::vector<client::ObjectPtr>>;

// Per (DaemonSet, node) backoff before deleting a failed daemon pod again: 1 s doubling to
// 15 min, as upstream's failedPodsBackoff.
class FailedPodBackoff {
 public:
  bool in_backoff(const std::string& key, TimePoint now);
  std::chrono::milliseconds delay(const std::string& key);
  void next(const std::string& key, TimePoint now);

 private:
  struct Entry {
    std::chrono::milliseconds delay{0};
    TimePoint last;
  };
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

struct ManagePlan {
  std::vector<std::string> nodes_needing_pods;
  std::vector<std::string> pods_to_delete;
  std::vector<std::string> failed_pod_messages;           // Warning events "FailedDaemonPod"
  std::optional<std::chrono::milliseconds> requeue_after;  // a failed pod in backoff
};
ManagePlan plan_manage(const json& ds, const std::vector<client::ObjectPtr>& nodes, const NodePods& node_pods,
                       const std::string& hash, FailedPodBackoff& backoff, TimePoint now);

struct RollingPlan {
  std::vector<std::string> pods_to_delete;
  std::vector<std::string> nodes_to_create;
};
RollingPlan plan_rolling_update(const json& ds, const std::vector<client::ObjectPtr>& nodes, NodePods node_pods,
                                const std::string& hash, TimePoint now);

struct DaemonSetCounts {
  int64_t desired = 0, current = 0, misscheduled = 0, ready = 0, updated = 0, available = 0, unavailable = 0;
};
DaemonSetCounts count_status(const json& ds, const std::vector<client::ObjectPtr>& nodes, const NodePods& node_pods,
                             const std::string& hash, TimePoint now);

}  // namespace kite::controllers::daemonset
