// NodeResourcesFit (requests against allocatable minus what the node's pods request, plus a
// LeastAllocated score) and NodeResourcesBalancedAllocation (prefers nodes whose cpu and
// memory fractions stay close).
#include <cmath>

#include "scheduler/plugins/plugins.h"

namespace kite::scheduler {
namespace {

int64_t least_requested(int64_t requested, int64_t capacity) {
  if (capacity == 0 || requested > capacity) return 0;
  return (capacity - requested) * kMaxNodeScore / capacity;
}

class NodeResourcesFit final : public Plugin {
 public:
  std::string_view name() const override { return "NodeResourcesFit"; }
  bool has_filter() const override { return true; }
  bool filter(const PodInfo& pod, const NodeInfo& node, std::vector<std::string>& out) const override {
    const Resources& alloc = node.spec().allocatable;
    const Resources& used = node.requested();
    const Resources& want = pod.requests;
    bool fits = true;
    if (static_cast<int64_t>(node.pods().size()) + 1 > alloc.pods) {
      out.emplace_back(reasons::kTooManyPods);
      fits = false;
    }
    if (want.milli_cpu == 0 && want.memory == 0 && want.ephemeral_storage == 0 && want.scalars.empty()) return fits;
    if (want.milli_cpu > 0 && want.milli_cpu > alloc.milli_cpu - used.milli_cpu) {
      out.emplace_back("Insufficient cpu");
      fits = false;
    }
    if (want.memory > 0 && want.memory > alloc.memory - used.memory) {
      out.emplace_back("Insufficient memory");
      fits = false;
    }
    if (want.ephemeral_storage > 0 && want.ephemeral_storage > alloc.ephemeral_storage - used.ephemeral_storage) {
      out.emplace_back("Insufficient ephemeral-storage");
      fits = false;
    }
    for (const auto& [name, amount] : want.scalars) {
      if (amount == 0) continue;
      if (amount > alloc.scalar(name) - used.scalar(name)) {
        out.push_back(std::string(reasons::kInsufficientPrefix) + name);
        fits = false;
      }
    }
    return fits;
  }

  int64_t score_weight() const override { return 1; }
  int64_t score(const PodInfo& pod, const NodeInfo& node) const override {
    const Resources& alloc = node.spec().allocatable;
    int64_t cpu = least_requested(node.non_zero_milli_cpu() + pod.non_zero_milli_cpu, alloc.milli_cpu);
    int64_t mem = least_requested(node.non_zero_memory() + pod.non_zero_memory, alloc.memory);
    return (cpu + mem) / 2;
  }
};

class BalancedAllocation final : public Plugin {
 public:
  std::string_view name() const override { return "NodeResourcesBalancedAllocation"; }
  int64_t score_weight() const override { return 1; }
  int64_t score(const PodInfo& pod, const NodeInfo& node) const override {
    const Resources& alloc = node.spec().allocatable;
    double fractions[2];
    int n = 0;
    auto add = [&](int64_t requested, int64_t allocatable) {
      if (allocatable == 0) return;
      double f = static_cast<double>(requested) / static_cast<double>(allocatable);
      fractions[n++] = f > 1 ? 1 : f;
    };
    add(node.requested().milli_cpu + pod.requests.milli_cpu, alloc.milli_cpu);
    add(node.requested().memory + pod.requests.memory, alloc.memory);
    double std_dev = n == 2 ? std::abs((fractions[0] - fractions[1]) / 2) : 0;
    return static_cast<int64_t>((1 - std_dev) * static_cast<double>(kMaxNodeScore));
  }
};

}  // namespace

std::unique_ptr<Plugin> make_node_resources_fit() { return std::make_unique<NodeResourcesFit>(); }
std::unique_ptr<Plugin> make_balanced_allocation() { return std::make_unique<BalancedAllocation>(); }

}  // namespace kite::scheduler
