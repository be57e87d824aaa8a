// NodeUnschedulable, NodeName and NodePorts: filters that look at one field each.
#include "scheduler/plugins/plugins.h"

namespace kite::scheduler {
namespace {

class NodeUnschedulable final : public Plugin {
 public:
  std::string_view name() const override { return "NodeUnschedulable"; }
  bool has_filter() const override { return true; }
  bool filter(const PodInfo& pod, const NodeInfo& node, std::vector<std::string>& out) const override {
    if (!node.spec().unschedulable) return true;
    static const Taint kTaint{"node.kubernetes.io/unschedulable", "", TaintEffect::kNoSchedule};
    if (tolerates_any(pod.tolerations, kTaint)) return true;
    out.emplace_back(reasons::kNodeUnschedulable);
    return false;
  }
};

class NodeName final : public Plugin {
 public:
  std::string_view name() const override { return "NodeName"; }
  bool has_filter() const override { return true; }
  bool filter(const PodInfo& pod, const NodeInfo& node, std::vector<std::string>& out) const override {
    if (pod.node_name.empty() || pod.node_name == node.name()) return true;
    out.emplace_back(reasons::kNodeName);
    return false;
  }
};

class NodePorts final : public Plugin {
 public:
  std::string_view name() const override { return "NodePorts"; }
  bool has_filter() const override { return true; }
  bool filter(const PodInfo& pod, const NodeInfo& node, std::vector<std::string>& out) const override {
    if (pod.host_ports.empty()) return true;
    for (const auto& want : pod.host_ports)
      for (const auto& used : node.used_ports())
        if (want.conflicts(used)) {
          out.emplace_back(reasons::kNodePorts);
          return false;
        }
    return true;
  }
};

}  // namespace

std::unique_ptr<Plugin> make_node_unschedulable() { return std::make_unique<NodeUnschedulable>(); }
std::unique_ptr<Plugin> make_node_name() { return std::make_unique<NodeName>(); }
std::unique_ptr<Plugin> make_node_ports() { return std::make_unique<NodePorts>(); }

}  // namespace kite::scheduler
