// NodeAffinity: spec.nodeSelector and required node affinity must match the node's labels
// (filter); preferred node affinity terms add their weights (score).
#include "scheduler/plugins/plugins.h"

namespace kite::scheduler {
namespace {

class NodeAffinity final : public Plugin {
 public:
  std::string_view name() const override { return "NodeAffinity"; }
  bool has_filter() const override { return true; }
  bool filter(const PodInfo& pod, const NodeInfo& node, std::vector<std::string>& out) const override {
    if (pod.node_selector.empty() && !pod.required_node_affinity) return true;
    if (pod_matches_node_selector_and_affinity(pod, node.name(), node.labels())) return true;
    out.emplace_back(reasons::kNodeAffinity);
    return false;
  }

  int64_t score_weight() const override { return 2; }
  int64_t score(const PodInfo& pod, const NodeInfo& node) const override {
    int64_t total = 0;
    for (const auto& p : pod.preferred_node_affinity)
      if (p.weight != 0 && p.term.matches(node.name(), node.labels())) total += p.weight;
    return total;
  }
  void normalize(std::vector<int64_t>& scores) const override { default_normalize_score(kMaxNodeScore, false, scores); }
};

}  // namespace

std::unique_ptr<Plugin> make_node_affinity() { return std::make_unique<NodeAffinity>(); }

}  // namespace kite::scheduler
