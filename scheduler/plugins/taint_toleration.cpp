// TaintToleration: NoSchedule/NoExecute taints must be tolerated (filter); fewer untolerated
// PreferNoSchedule taints score higher.
#include "scheduler/plugins/plugins.h"

#include <algorithm>

namespace kite::scheduler {

namespace reasons {
std::string untolerated_taint(const std::string& key, const std::string& value) {
  return "node(s) had untolerated taint {" + key + ": " + value + "}";
}
}  // namespace reasons

namespace {

class TaintToleration final : public Plugin {
 public:
  std::string_view name() const override { return "TaintToleration"; }
  bool has_filter() const override { return true; }
  bool filter(const PodInfo& pod, const NodeInfo& node, std::vector<std::string>& out) const override {
    for (const auto& t : node.spec().taints) {
      if (t.effect != TaintEffect::kNoSchedule && t.effect != TaintEffect::kNoExecute) continue;
      if (tolerates_any(pod.tolerations, t)) continue;
      out.push_back(reasons::untolerated_taint(t.key, t.value));
      return false;
    }
    return true;
  }

  int64_t score_weight() const override { return 3; }
  void pre_score(const PodInfo& pod, const Snapshot&, const std::vector<const NodeInfo*>&) override {
    prefer_tolerations_.clear();
    for (const auto& t : pod.tolerations)
      if (!t.effect || *t.effect == TaintEffect::kPreferNoSchedule) prefer_tolerations_.push_back(t);
  }
  int64_t score(const PodInfo&, const NodeInfo& node) const override {
    int64_t n = 0;
    for (const auto& t : node.spec().taints)
      if (t.effect == TaintEffect::kPreferNoSchedule && !tolerates_any(prefer_tolerations_, t)) ++n;
    return n;
  }
  void normalize(std::vector<int64_t>& scores) const override { default_normalize_score(kMaxNodeScore, true, scores); }

 private:
  std::vector<Toleration> prefer_tolerations_;
};

}  // namespace

std::unique_ptr<Plugin> make_taint_toleration() { return std::make_unique<TaintToleration>(); }

void default_normalize_score(int64_t max_priority, bool reverse, std::vector<int64_t>& scores) {
  int64_t max_count = 0;
  for (int64_t s : scores) max_count = std::max(max_count, s);
  if (max_count == 0) {
    if (reverse)
      for (auto& s : scores) s = max_priority;
    return;
  }
  for (auto& s : scores) {
    s = max_priority * s / max_count;
    if (reverse) s = max_priority - s;
  }
}

}  // namespace kite::scheduler
