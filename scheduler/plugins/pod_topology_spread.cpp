// PodTopologySpread: topologySpreadConstraints. DoNotSchedule constraints filter nodes whose
// domain would exceed maxSkew over the least loaded domain; ScheduleAnyway constraints score
// nodes in less loaded domains higher. A pod with no constraints that a controller owns gets
// kube-scheduler's system defaults (ScheduleAnyway: hostname maxSkew 3, zone maxSkew 5) over
// the pods of the same controller (upstream uses the selectors of the Services / ReplicaSets /
// StatefulSets selecting the pod; the owning controller is kite's approximation of that).
#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "scheduler/plugins/plugins.h"

namespace kite::scheduler {
namespace {

using Counts = std::unordered_map<std::string, int64_t>;

bool counts_pod(const PodInfo& incoming, const TopologySpreadConstraint& c, const PodInfo& p) {
  if (p.terminating || p.ns != incoming.ns) return false;
  if (!c.controller_uid.empty()) return p.controller_uid == c.controller_uid;
  return c.selector.matches(p.labels);
}

std::vector<TopologySpreadConstraint> system_default_constraints(const PodInfo& pod) {
  std::vector<TopologySpreadConstraint> out(2);
  out[0].max_skew = 3;
  out[0].topology_key = kHostnameLabel;
  out[1].max_skew = 5;
  out[1].topology_key = kZoneLabel;
  for (auto& c : out) {
    c.when_unsatisfiable = UnsatisfiableAction::kScheduleAnyway;
    c.controller_uid = pod.controller_uid;
  }
  return out;
}

int64_t matching_on_node(const PodInfo& incoming, const TopologySpreadConstraint& c, const NodeInfo& node) {
  if (!c.controller_uid.empty()) return node.pods_of_controller(c.controller_uid);
  int64_t n = 0;
  for (const auto& p : node.pods())
    if (counts_pod(incoming, c, *p)) ++n;
  return n;
}

bool node_has_keys(const NodeInfo& node, const std::vector<const TopologySpreadConstraint*>& cs) {
  for (const auto* c : cs)
    if (!node.labels().count(c->topology_key)) return false;
  return true;
}

// nodeAffinityPolicy / nodeTaintsPolicy: whether `node` takes part in the constraint's counts.
bool node_included(const PodInfo& pod, const TopologySpreadConstraint& c, const NodeInfo& node) {
  if (c.honor_node_affinity && !pod_matches_node_selector_and_affinity(pod, node.name(), node.labels())) return false;
  if (c.honor_node_taints) {
    for (const auto& t : node.spec().taints) {
      if (t.effect != TaintEffect::kNoSchedule && t.effect != TaintEffect::kNoExecute) continue;
      if (!tolerates_any(pod.tolerations, t)) return false;
    }
  }
  return true;
}

class PodTopologySpread final : public Plugin {
 public:
  std::string_view name() const override { return "PodTopologySpread"; }

  std::string pre_filter(const PodInfo& pod, const Snapshot& snapshot) override {
    hard_.clear();
    hard_counts_.clear();
    min_match_.clear();
    for (const auto& c : pod.spread_constraints)
      if (c.when_unsatisfiable == UnsatisfiableAction::kDoNotSchedule) hard_.push_back(&c);
    if (hard_.empty()) return {};
    hard_counts_.resize(hard_.size());
    for (const auto& n : snapshot.nodes) {
      if (!node_has_keys(*n, hard_)) continue;
      for (size_t i = 0; i < hard_.size(); ++i) {
        const auto& c = *hard_[i];
        if (!node_included(pod, c, *n)) continue;
        hard_counts_[i][n->labels().at(c.topology_key)] += matching_on_node(pod, c, *n);
      }
    }
    for (size_t i = 0; i < hard_.size(); ++i) {
      int64_t min = std::numeric_limits<int64_t>::max();
      for (const auto& [value, count] : hard_counts_[i]) min = std::min(min, count);
      if (hard_counts_[i].empty() || static_cast<int64_t>(hard_counts_[i].size()) < hard_[i]->min_domains) min = 0;
      min_match_.push_back(min);
    }
    return {};
  }

  bool has_filter() const override { return true; }
  bool filter(const PodInfo& pod, const NodeInfo& node, std::vector<std::string>& out) const override {
    for (size_t i = 0; i < hard_.size(); ++i) {
      const auto& c = *hard_[i];
      auto label = node.labels().find(c.topology_key);
      if (label == node.labels().end()) {
        out.emplace_back(reasons::kSpreadMissingLabel);
        return false;
      }
      int64_t self = c.selector.matches(pod.labels) ? 1 : 0;
      auto it = hard_counts_[i].find(label->second);
      int64_t count = it == hard_counts_[i].end() ? 0 : it->second;
      if (count + self - min_match_[i] > c.max_skew) {
        out.emplace_back(reasons::kSpreadConstraints);
        return false;
      }
    }
    return true;
  }

  int64_t score_weight() const override { return 2; }
  void pre_score(const PodInfo& pod, const Snapshot& snapshot, const std::vector<const NodeInfo*>& feasible) override {
    soft_.clear();
    soft_counts_.clear();
    weights_.clear();
    defaults_.clear();
    require_all_keys_ = true;
    for (const auto& c : pod.spread_constraints)
      if (c.when_unsatisfiable == UnsatisfiableAction::kScheduleAnyway) soft_.push_back(&c);
    if (pod.spread_constraints.empty() && !pod.controller_uid.empty()) {
      defaults_ = system_default_constraints(pod);
      for (const auto& c : defaults_) soft_.push_back(&c);
      require_all_keys_ = false;  // a fleet without zones still spreads by hostname
    }
    if (soft_.empty()) return;
    soft_counts_.resize(soft_.size());
    // Domains among the feasible nodes give the weights and which domains are counted.
    // (Every node is its own hostname domain: those are counted, not collected.)
    std::vector<Counts> domains(soft_.size());
    std::vector<size_t> hostname_domains(soft_.size(), 0);
    for (const auto* n : feasible) {
      if (require_all_keys_ && !node_has_keys(*n, soft_)) continue;
      for (size_t i = 0; i < soft_.size(); ++i) {
        auto label = n->labels().find(soft_[i]->topology_key);
        if (label == n->labels().end()) continue;
        if (soft_[i]->topology_key == kHostnameLabel) {
          ++hostname_domains[i];
        } else {
          domains[i][label->second] = 0;
        }
      }
    }
    for (size_t i = 0; i < soft_.size(); ++i)
      weights_.push_back(std::log(static_cast<double>(domains[i].size() + hostname_domains[i]) + 2));
    // Only constraints other than hostname with at least one domain need the cluster-wide count.
    std::vector<size_t> counted;
    for (size_t i = 0; i < soft_.size(); ++i)
      if (soft_[i]->topology_key != kHostnameLabel && !domains[i].empty()) counted.push_back(i);
    if (counted.empty()) return;
    if (!defaults_.empty() && pod.node_selector.empty() && !pod.required_node_affinity) {
      // System defaults: the snapshot keeps per-controller zone counts.
      auto it = snapshot.controller_zone_pods.find(pod.controller_uid);
      if (it == snapshot.controller_zone_pods.end()) return;
      for (size_t i : counted) {
        if (soft_[i]->topology_key != kZoneLabel) continue;
        for (const auto& [zone, count] : it->second)
          if (domains[i].count(zone)) soft_counts_[i][zone] = count;
      }
      return;
    }
    for (const auto& n : snapshot.nodes) {
      if (require_all_keys_ && !node_has_keys(*n, soft_)) continue;
      for (size_t i : counted) {
        const auto& c = *soft_[i];
        auto label = n->labels().find(c.topology_key);
        if (label == n->labels().end()) continue;
        if (!domains[i].count(label->second) || !node_included(pod, c, *n)) continue;
        soft_counts_[i][label->second] += matching_on_node(pod, c, *n);
      }
    }
  }
  int64_t score(const PodInfo& pod, const NodeInfo& node) const override {
    if (soft_.empty()) return 0;
    if (require_all_keys_ && !node_has_keys(node, soft_)) return -1;  // ignored: normalized to 0
    double total = 0;
    for (size_t i = 0; i < soft_.size(); ++i) {
      const auto& c = *soft_[i];
      auto label = node.labels().find(c.topology_key);
      if (label == node.labels().end()) continue;
      int64_t count = 0;
      if (c.topology_key == kHostnameLabel) {
        count = matching_on_node(pod, c, node);
      } else {
        auto it = soft_counts_[i].find(label->second);
        if (it != soft_counts_[i].end()) count = it->second;
      }
      total += static_cast<double>(count) * weights_[i] + static_cast<double>(c.max_skew - 1);
    }
    return static_cast<int64_t>(std::llround(total));
  }
  void normalize(std::vector<int64_t>& scores) const override {
    if (soft_.empty()) return;
    int64_t min = std::numeric_limits<int64_t>::max(), max = 0;
    for (int64_t s : scores) {
      if (s < 0) continue;
      min = std::min(min, s);
      max = std::max(max, s);
    }
    for (auto& s : scores) {
      if (s < 0) {
        s = 0;
      } else if (max == 0) {
        s = kMaxNodeScore;
      } else {
        s = kMaxNodeScore * (max + min - s) / max;
      }
    }
  }

 private:
  std::vector<const TopologySpreadConstraint*> hard_, soft_;
  std::vector<Counts> hard_counts_, soft_counts_;
  std::vector<int64_t> min_match_;
  std::vector<double> weights_;
  std::vector<TopologySpreadConstraint> defaults_;  // system defaults for this pod
  bool require_all_keys_ = true;
};

}  // namespace

std::unique_ptr<Plugin> make_pod_topology_spread() { return std::make_unique<PodTopologySpread>(); }

}  // namespace kite::scheduler
