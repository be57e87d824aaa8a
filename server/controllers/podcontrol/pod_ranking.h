// Which pods a controller deletes first when it scales down: Kubernetes' ActivePodsWithRanks
// order (LogarithmicScaleDown and PodDeletionCost on, as they are by default). A pod sorts
// earlier (is deleted sooner) when, in this order of precedence, it is
//   1. unassigned (no spec.nodeName) while the other is assigned;
//   2. in an earlier phase: Pending < Unknown < Running;
//   3. not ready while the other is ready;
//   4. of lower controller.kubernetes.io/pod-deletion-cost;
//   5. of higher rank (the caller's rank: upstream uses the number of related active pods on
//      the same node, so doubled-up pods go first);
//   6. ready for less time (both ready; compared in log2 buckets of age, ties by uid);
//   7. restarted more (max container restartCount);
//   8. created more recently (log2 buckets of age, ties by uid; no timestamp first).
// Pure functions; safe from any thread.
#pragma once

#include <chrono>
#include <vector>

#include "client/informer.h"

namespace kite::controllers::podcontrol {

struct RankedPod {
  client::ObjectPtr pod;
  int rank = 0;
};

// True when `a` should be deleted before `b`.
bool delete_before(const RankedPod& a, const RankedPod& b, std::chrono::system_clock::time_point now);

// The first `count` pods of `pods` in deletion order, ranked by how many of `related` active
// pods share their node (pass `pods` itself when there is no wider family).
std::vector<client::ObjectPtr> pods_to_delete(const std::vector<client::ObjectPtr>& pods,
                                              const std::vector<client::ObjectPtr>& related, size_t count,
                                              std::chrono::system_clock::time_point now);

}  // namespace kite::controllers::podcontrol
