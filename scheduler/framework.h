// Framework: one scheduling attempt of one pod over a Snapshot, the way kube-scheduler's
// schedulePod does it: pre-filter, filter the nodes starting at a rotating index until
// enough feasible nodes are found (percentageOfNodesToScore), score the feasible ones with
// every score plugin (normalized, weighted), and pick the best (ties broken at random).
//
// When no node fits, the FitError carries the per-reason node counts and renders the exact
// kube-scheduler text: "0/5 nodes are available: 2 node(s) didn't match Pod's node
// affinity/selector, 3 Insufficient cpu."
//
// Threads: a Framework (and its plugins) belongs to one scheduling loop; not thread-safe.
#pragma once

#include <cstdint>
#include <expected>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "scheduler/plugin.h"
#include "scheduler/snapshot.h"

namespace kite::scheduler {

inline constexpr const char* kNoNodesAvailable = "no nodes available to schedule pods";

struct FitError {
  int num_all_nodes = 0;
  std::string pre_filter_message;              // a pre-filter rejected the pod outright
  std::map<std::string, int> reason_counts;    // reason -> nodes that reported it
  std::set<std::string> rejecting_plugins;     // plugin names (for requeueing on events)
  // "0/N nodes are available: <count> <reason>, ...." (reasons sorted as strings); with no
  // nodes at all: "no nodes available to schedule pods".
  std::string message() const;
};

struct ScheduleResult {
  std::string node;
  int evaluated_nodes = 0;
  int feasible_nodes = 0;
};

class Framework {
 public:
  // percentage_of_nodes_to_score: 0 = adaptive (50 - nodes/125, at least 5); 100 = all.
  explicit Framework(std::vector<std::unique_ptr<Plugin>> plugins, int percentage_of_nodes_to_score = 0,
                     uint64_t seed = std::random_device{}());

  std::expected<ScheduleResult, FitError> schedule(const PodInfo& pod, const Snapshot& snapshot);

  // kube-scheduler's numFeasibleNodesToFind: all nodes below 100, else the percentage of
  // them but never fewer than 100.
  static int num_feasible_nodes_to_find(int percentage, int num_all_nodes);

  const std::vector<std::unique_ptr<Plugin>>& plugins() const { return plugins_; }

 private:
  std::vector<std::unique_ptr<Plugin>> plugins_;
  std::vector<Plugin*> filters_, scorers_;
  int percentage_;
  size_t next_start_index_ = 0;
  std::mt19937_64 rng_;
  // Scratch buffers reused between cycles.
  std::vector<std::string> reasons_;
  std::vector<const NodeInfo*> feasible_;
  std::vector<int64_t> plugin_scores_, totals_;
};

}  // namespace kite::scheduler
