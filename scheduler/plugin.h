// Plugin: one filter and/or score rule of the scheduling framework, after kube-scheduler's
// framework (pkg/scheduler/framework/interface.go), reduced to the extension points kite uses:
//
//   pre_filter(pod, snapshot)  once per pod: precompute per-pod state; a non-empty return is a
//                              message that makes the pod unschedulable on every node;
//   filter(pod, node, reasons) per node: true = the pod fits; false appends the reasons
//                              `kubectl describe` shows ("Insufficient cpu", ...);
//   pre_score(pod, snapshot, feasible), score(pod, node), normalize(scores): node scores,
//                              normalized to 0..kMaxNodeScore, multiplied by score_weight().
//
// Threads: a plugin instance belongs to one scheduling loop; pre_filter/pre_score may keep
// per-pod state in members that filter/score (const) read. Never called concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scheduler/node_info.h"
#include "scheduler/pod_info.h"
#include "scheduler/snapshot.h"

namespace kite::scheduler {

inline constexpr int64_t kMaxNodeScore = 100;

class Plugin {
 public:
  virtual ~Plugin() = default;
  virtual std::string_view name() const = 0;

  virtual std::string pre_filter(const PodInfo& /*pod*/, const Snapshot& /*snapshot*/) { return {}; }
  virtual bool has_filter() const { return false; }
  virtual bool filter(const PodInfo& /*pod*/, const NodeInfo& /*node*/, std::vector<std::string>& /*reasons*/) const {
    return true;
  }

  // 0 = not a score plugin.
  virtual int64_t score_weight() const { return 0; }
  virtual void pre_score(const PodInfo& /*pod*/, const Snapshot& /*snapshot*/,
                         const std::vector<const NodeInfo*>& /*feasible*/) {}
  virtual int64_t score(const PodInfo& /*pod*/, const NodeInfo& /*node*/) const { return 0; }
  virtual void normalize(std::vector<int64_t>& /*scores*/) const {}
};

// helper.DefaultNormalizeScore: scales scores to 0..max_priority by the highest one;
// `reverse` turns the highest raw score into 0.
void default_normalize_score(int64_t max_priority, bool reverse, std::vector<int64_t>& scores);

}  // namespace kite::scheduler
