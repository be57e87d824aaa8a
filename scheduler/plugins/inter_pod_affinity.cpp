// InterPodAffinity: required pod affinity / anti-affinity of the incoming pod, and the
// required anti-affinity of pods already placed, per topology domain (hostname, zone, any
// node label) as filters; preferred terms (both directions) and existing pods' required
// affinity (weight 1) as the score.
#include <algorithm>
#include <limits>
#include <map>
#include <unordered_map>

#include "scheduler/plugins/plugins.h"

namespace kite::scheduler {
namespace {

// topology key -> value -> count
using TopologyCounts = std::unordered_map<std::string, std::unordered_map<std::string, int64_t>>;

void bump(TopologyCounts& m, const std::string& key, const NodeInfo& node, int64_t by) {
  auto it = node.labels().find(key);
  if (it != node.labels().end()) m[key][it->second] += by;
}

int64_t count_at(const TopologyCounts& m, const std::string& key, const std::string& value) {
  auto k = m.find(key);
  if (k == m.end()) return 0;
  auto v = k->second.find(value);
  return v == k->second.end() ? 0 : v->second;
}

class InterPodAffinity final : public Plugin {
 public:
  explicit InterPodAffinity(NamespaceLabelsFunc ns_labels) : ns_labels_(std::move(ns_labels)) {}
  std::string_view name() const override { return "InterPodAffinity"; }

  std::string pre_filter(const PodInfo& pod, const Snapshot& snapshot) override {
    ns_cache_.clear();
    affinity_counts_.clear();
    anti_counts_.clear();
    existing_anti_counts_.clear();
    for (const NodeInfo* n : snapshot.nodes_with_required_anti_affinity_pods)
      for (const auto& existing : n->pods_with_required_anti_affinity())
        for (const auto& term : existing->required_anti_affinity)
          if (matches(pod, term)) bump(existing_anti_counts_, term.topology_key, *n, 1);
    if (pod.required_affinity.empty() && pod.required_anti_affinity.empty()) return {};
    for (const auto& n : snapshot.nodes) {
      for (const auto& existing : n->pods()) {
        if (!pod.required_affinity.empty() && matches_all(*existing, pod.required_affinity))
          for (const auto& term : pod.required_affinity) bump(affinity_counts_, term.topology_key, *n, 1);
        for (const auto& term : pod.required_anti_affinity)
          if (matches(*existing, term)) bump(anti_counts_, term.topology_key, *n, 1);
      }
    }
    self_match_ = !pod.required_affinity.empty() && matches_all(pod, pod.required_affinity);
    return {};
  }

  bool has_filter() const override { return true; }
  bool filter(const PodInfo& pod, const NodeInfo& node, std::vector<std::string>& out) const override {
    if (!satisfies_affinity(pod, node)) {
      out.emplace_back(reasons::kAffinityRules);
      return false;
    }
    for (const auto& term : pod.required_anti_affinity) {
      auto it = node.labels().find(term.topology_key);
      if (it != node.labels().end() && count_at(anti_counts_, term.topology_key, it->second) > 0) {
        out.emplace_back(reasons::kAntiAffinityRules);
        return false;
      }
    }
    if (!existing_anti_counts_.empty()) {
      for (const auto& [key, value] : node.labels()) {
        if (count_at(existing_anti_counts_, key, value) > 0) {
          out.emplace_back(reasons::kExistingAntiAffinity);
          return false;
        }
      }
    }
    return true;
  }

  int64_t score_weight() const override { return 2; }
  void pre_score(const PodInfo& pod, const Snapshot& snapshot, const std::vector<const NodeInfo*>&) override {
    topology_score_.clear();
    bool incoming_preferred = !pod.preferred_affinity.empty() || !pod.preferred_anti_affinity.empty();
    auto process = [&](const NodeInfo& n, const PodInfo& existing) {
      for (const auto& t : pod.preferred_affinity)
        if (matches(existing, t)) bump(topology_score_, t.topology_key, n, t.weight);
      for (const auto& t : pod.preferred_anti_affinity)
        if (matches(existing, t)) bump(topology_score_, t.topology_key, n, -t.weight);
      for (const auto& t : existing.required_affinity)
        if (matches(pod, t)) bump(topology_score_, t.topology_key, n, 1);
      for (const auto& t : existing.preferred_affinity)
        if (matches(pod, t)) bump(topology_score_, t.topology_key, n, t.weight);
      for (const auto& t : existing.preferred_anti_affinity)
        if (matches(pod, t)) bump(topology_score_, t.topology_key, n, -t.weight);
    };
    if (incoming_preferred) {
      for (const auto& n : snapshot.nodes)
        for (const auto& existing : n->pods()) process(*n, *existing);
    } else {
      for (const NodeInfo* n : snapshot.nodes_with_affinity_pods)
        for (const auto& existing : n->pods_with_affinity()) process(*n, *existing);
    }
  }
  int64_t score(const PodInfo&, const NodeInfo& node) const override {
    int64_t total = 0;
    for (const auto& [key, values] : topology_score_) {
      auto it = node.labels().find(key);
      if (it == node.labels().end()) continue;
      auto v = values.find(it->second);
      if (v != values.end()) total += v->second;
    }
    return total;
  }
  void normalize(std::vector<int64_t>& scores) const override {
    if (topology_score_.empty()) {
      std::fill(scores.begin(), scores.end(), 0);
      return;
    }
    int64_t min = std::numeric_limits<int64_t>::max(), max = std::numeric_limits<int64_t>::min();
    for (int64_t s : scores) {
      min = std::min(min, s);
      max = std::max(max, s);
    }
    for (auto& s : scores) s = max - min > 0 ? kMaxNodeScore * (s - min) / (max - min) : 0;
  }

 private:
  bool satisfies_affinity(const PodInfo& pod, const NodeInfo& node) const {
    bool pods_exist = true;
    for (const auto& term : pod.required_affinity) {
      auto it = node.labels().find(term.topology_key);
      if (it == node.labels().end()) return false;
      if (count_at(affinity_counts_, term.topology_key, it->second) <= 0) pods_exist = false;
    }
    // The first pod of a group with affinity to itself may go anywhere that has the keys.
    return pods_exist || (affinity_counts_.empty() && self_match_);
  }

  const Labels* namespace_labels(const std::string& ns) {
    if (!ns_labels_) return nullptr;
    auto it = ns_cache_.find(ns);
    if (it == ns_cache_.end()) it = ns_cache_.emplace(ns, ns_labels_(ns)).first;
    return it->second.get();
  }
  bool matches(const PodInfo& candidate, const PodAffinityTerm& term) {
    const Labels* nsl = term.namespace_selector ? namespace_labels(candidate.ns) : nullptr;
    return pod_matches_affinity_term(candidate, term, nsl);
  }
  bool matches_all(const PodInfo& candidate, const std::vector<PodAffinityTerm>& terms) {
    for (const auto& t : terms)
      if (!matches(candidate, t)) return false;
    return true;
  }

  NamespaceLabelsFunc ns_labels_;
  std::map<std::string, std::shared_ptr<const Labels>> ns_cache_;
  TopologyCounts affinity_counts_, anti_counts_, existing_anti_counts_, topology_score_;
  bool self_match_ = false;
};

}  // namespace

std::unique_ptr<Plugin> make_inter_pod_affinity(NamespaceLabelsFunc namespace_labels) {
  return std::make_unique<InterPodAffinity>(std::move(namespace_labels));
}

}  // namespace kite::scheduler
