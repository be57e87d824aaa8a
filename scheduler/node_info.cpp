#include "scheduler/node_info.h"

#include <algorithm>

#include "scheduler/json_util.h"
#include "scheduler/quantity.h"

namespace kite::scheduler {

using json = nlohmann::json;

NodeSpecInfo parse_node(const json& node) {
  NodeSpecInfo n;
  static const json kEmpty = json::object();
  const json* meta = jsonu::object(node, "metadata");
  const json* spec = jsonu::object(node, "spec");
  const json* status = jsonu::object(node, "status");
  if (!meta) meta = &kEmpty;
  if (!spec) spec = &kEmpty;
  if (!status) status = &kEmpty;
  n.name = jsonu::string(*meta, "name");
  if (const json* labels = jsonu::object(*meta, "labels"))
    for (auto it = labels->begin(); it != labels->end(); ++it)
      if (it->is_string()) n.labels.emplace(it.key(), it->get<std::string>());
  n.unschedulable = jsonu::boolean(*spec, "unschedulable");
  if (const json* taints = jsonu::array(*spec, "taints"))
    for (const auto& t : *taints)
      n.taints.push_back({jsonu::string(t, "key"), jsonu::string(t, "value"),
                          parse_taint_effect(jsonu::string(t, "effect"))});
  // Allocatable, falling back to capacity (as the kubelet reports both).
  const json* alloc = jsonu::object(*status, "allocatable");
  if (!alloc) alloc = jsonu::object(*status, "capacity");
  if (alloc) {
    for (auto it = alloc->begin(); it != alloc->end(); ++it) {
      const std::string& name = it.key();
      if (name == "cpu") {
        n.allocatable.milli_cpu = milli_quantity(*it).value_or(0);
      } else if (name == "memory") {
        n.allocatable.memory = quantity(*it).value_or(0);
      } else if (name == "ephemeral-storage") {
        n.allocatable.ephemeral_storage = quantity(*it).value_or(0);
      } else if (name == "pods") {
        n.allocatable.pods = quantity(*it).value_or(0);
      } else {
        n.allocatable.set_scalar(name, quantity(*it).value_or(0));
      }
    }
  }
  auto arch = n.labels.find(kArchLabel);
  if (arch != n.labels.end()) {
    n.arch = arch->second;
  } else if (const json* info = jsonu::object(*status, "nodeInfo")) {
    n.arch = jsonu::string(*info, "architecture");
  }
  if (const json* images = jsonu::array(*status, "images"))
    for (const auto& img : *images) {
      NodeImage ni;
      if (const json* names = jsonu::array(img, "names"))
        for (const auto& nm : *names)
          if (nm.is_string()) ni.names.push_back(nm.get<std::string>());
      ni.size_bytes = jsonu::integer(img, "sizeBytes");
      n.images.push_back(std::move(ni));
    }
  return n;
}

void NodeInfo::add_pod(PodInfoPtr pod) {
  requested_.add(pod->requests);
  non_zero_milli_cpu_ += pod->non_zero_milli_cpu;
  non_zero_memory_ += pod->non_zero_memory;
  for (const auto& hp : pod->host_ports) used_ports_.push_back(hp);
  if (!pod->controller_uid.empty() && !pod->terminating) ++controller_pods_[pod->controller_uid];
  if (pod->has_pod_affinity()) pods_with_affinity_.push_back(pod);
  if (pod->has_required_anti_affinity()) pods_with_required_anti_affinity_.push_back(pod);
  pods_.push_back(std::move(pod));
}

namespace {
bool erase_key(std::vector<PodInfoPtr>& v, const std::string& key) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i]->key == key) {
      v[i] = std::move(v.back());
      v.pop_back();
      return true;
    }
  }
  return false;
}
}  // namespace

bool NodeInfo::remove_pod(const std::string& key) {
  PodInfoPtr pod;
  for (const auto& p : pods_)
    if (p->key == key) pod = p;
  if (!pod) return false;
  erase_key(pods_, key);
  erase_key(pods_with_affinity_, key);
  erase_key(pods_with_required_anti_affinity_, key);
  if (!pod->controller_uid.empty() && !pod->terminating) {
    auto it = controller_pods_.find(pod->controller_uid);
    if (it != controller_pods_.end() && --it->second <= 0) controller_pods_.erase(it);
  }
  requested_.subtract(pod->requests);
  non_zero_milli_cpu_ -= pod->non_zero_milli_cpu;
  non_zero_memory_ -= pod->non_zero_memory;
  for (const auto& hp : pod->host_ports) {
    auto it = std::find(used_ports_.begin(), used_ports_.end(), hp);
    if (it != used_ports_.end()) used_ports_.erase(it);
  }
  return true;
}

}  // namespace kite::scheduler
