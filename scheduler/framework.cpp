#include "scheduler/framework.h"

#include <algorithm>

namespace kite::scheduler {

namespace {
constexpr int kMinFeasibleNodesToFind = 100;
constexpr int kMinFeasibleNodesPercentageToFind = 5;
}  // namespace

std::string FitError::message() const {
  if (num_all_nodes == 0) return kNoNodesAvailable;
  std::string msg = "0/" + std::to_string(num_all_nodes) + " nodes are available:";
  if (!pre_filter_message.empty()) {
    msg += " " + pre_filter_message + ".";
    return msg;
  }
  std::vector<std::string> parts;
  for (const auto& [reason, count] : reason_counts) parts.push_back(std::to_string(count) + " " + reason);
  std::sort(parts.begin(), parts.end());
  if (!parts.empty()) {
    msg += " ";
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i) msg += ", ";
      msg += parts[i];
    }
    msg += ".";
  }
  return msg;
}

Framework::Framework(std::vector<std::unique_ptr<Plugin>> plugins, int percentage, uint64_t seed)
    : plugins_(std::move(plugins)), percentage_(percentage), rng_(seed) {
  for (const auto& p : plugins_) {
    if (p->has_filter()) filters_.push_back(p.get());
    if (p->score_weight() > 0) scorers_.push_back(p.get());
  }
}

int Framework::num_feasible_nodes_to_find(int percentage, int num_all_nodes) {
  if (num_all_nodes < kMinFeasibleNodesToFind || percentage >= 100) return num_all_nodes;
  if (percentage <= 0) {
    percentage = 50 - num_all_nodes / 125;
    if (percentage < kMinFeasibleNodesPercentageToFind) percentage = kMinFeasibleNodesPercentageToFind;
  }
  int n = static_cast<int>(static_cast<int64_t>(num_all_nodes) * percentage / 100);
  return n < kMinFeasibleNodesToFind ? kMinFeasibleNodesToFind : n;
}

std::expected<ScheduleResult, FitError> Framework::schedule(const PodInfo& pod, const Snapshot& snapshot) {
  const int num_nodes = static_cast<int>(snapshot.nodes.size());
  FitError fit;
  fit.num_all_nodes = num_nodes;
  if (num_nodes == 0) return std::unexpected(std::move(fit));
  if (!pod.parse_error.empty()) {
    fit.pre_filter_message = pod.parse_error;
    return std::unexpected(std::move(fit));
  }
  for (const auto& p : plugins_) {
    std::string msg = p->pre_filter(pod, snapshot);
    if (!msg.empty()) {
      fit.pre_filter_message = std::move(msg);
      fit.rejecting_plugins.insert(std::string(p->name()));
      return std::unexpected(std::move(fit));
    }
  }

  const int want = num_feasible_nodes_to_find(percentage_, num_nodes);
  feasible_.clear();
  int processed = 0;
  for (int i = 0; i < num_nodes; ++i) {
    const NodeInfo& node = *snapshot.nodes[(next_start_index_ + i) % num_nodes];
    ++processed;
    bool fits = true;
    for (Plugin* f : filters_) {
      reasons_.clear();
      if (!f->filter(pod, node, reasons_)) {
        fits = false;
        for (auto& r : reasons_) ++fit.reason_counts[r];
        fit.rejecting_plugins.insert(std::string(f->name()));
        break;
      }
    }
    if (fits) {
      feasible_.push_back(&node);
      if (static_cast<int>(feasible_.size()) >= want) break;
    }
  }
  next_start_index_ = (next_start_index_ + processed) % num_nodes;
  if (feasible_.empty()) return std::unexpected(std::move(fit));

  ScheduleResult result;
  result.evaluated_nodes = processed;
  result.feasible_nodes = static_cast<int>(feasible_.size());
  if (feasible_.size() == 1) {
    result.node = feasible_[0]->name();
    return result;
  }
  totals_.assign(feasible_.size(), 0);
  for (Plugin* s : scorers_) {
    s->pre_score(pod, snapshot, feasible_);
    plugin_scores_.resize(feasible_.size());
    for (size_t i = 0; i < feasible_.size(); ++i) plugin_scores_[i] = s->score(pod, *feasible_[i]);
    s->normalize(plugin_scores_);
    const int64_t w = s->score_weight();
    for (size_t i = 0; i < feasible_.size(); ++i) totals_[i] += plugin_scores_[i] * w;
  }
  // Highest total wins; ties are broken uniformly at random (reservoir sampling).
  size_t best = 0;
  int ties = 1;
  for (size_t i = 1; i < feasible_.size(); ++i) {
    if (totals_[i] > totals_[best]) {
      best = i;
      ties = 1;
    } else if (totals_[i] == totals_[best]) {
      ++ties;
      if (std::uniform_int_distribution<int>(0, ties - 1)(rng_) == 0) best = i;
    }
  }
  result.node = feasible_[best]->name();
  return result;
}

}  // namespace kite::scheduler
