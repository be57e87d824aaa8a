#include "scheduler/types.h"

#include <algorithm>

namespace kite::scheduler {

int64_t Resources::scalar(const std::string& name) const {
  for (const auto& [n, v] : scalars)
    if (n == name) return v;
  return 0;
}

void Resources::set_scalar(const std::string& name, int64_t value) {
  auto it = std::lower_bound(scalars.begin(), scalars.end(), name,
                             [](const auto& p, const std::string& n) { return p.first < n; });
  if (it != scalars.end() && it->first == name) {
    it->second = value;
  } else {
    scalars.insert(it, {name, value});
  }
}

void Resources::add(const Resources& o) {
  milli_cpu += o.milli_cpu;
  memory += o.memory;
  ephemeral_storage += o.ephemeral_storage;
  pods += o.pods;
  for (const auto& [n, v] : o.scalars) set_scalar(n, scalar(n) + v);
}

void Resources::subtract(const Resources& o) {
  milli_cpu -= o.milli_cpu;
  memory -= o.memory;
  ephemeral_storage -= o.ephemeral_storage;
  pods -= o.pods;
  for (const auto& [n, v] : o.scalars) set_scalar(n, scalar(n) - v);
}

void Resources::max_with(const Resources& o) {
  milli_cpu = std::max(milli_cpu, o.milli_cpu);
  memory = std::max(memory, o.memory);
  ephemeral_storage = std::max(ephemeral_storage, o.ephemeral_storage);
  pods = std::max(pods, o.pods);
  for (const auto& [n, v] : o.scalars) set_scalar(n, std::max(scalar(n), v));
}

bool Resources::is_zero() const {
  if (milli_cpu || memory || ephemeral_storage) return false;
  for (const auto& [n, v] : scalars)
    if (v) return false;
  return true;
}

TaintEffect parse_taint_effect(const std::string& s) {
  if (s == "NoSchedule") return TaintEffect::kNoSchedule;
  if (s == "PreferNoSchedule") return TaintEffect::kPreferNoSchedule;
  if (s == "NoExecute") return TaintEffect::kNoExecute;
  return TaintEffect::kOther;
}

bool Toleration::tolerates(const Taint& taint) const {
  if (effect && *effect != taint.effect) return false;
  if (!key.empty() && key != taint.key) return false;
  return exists || value == taint.value;
}

bool tolerates_any(const std::vector<Toleration>& tolerations, const Taint& taint) {
  for (const auto& t : tolerations)
    if (t.tolerates(taint)) return true;
  return false;
}

bool NodeSelectorTerm::matches(const std::string& node_name, const Labels& node_labels) const {
  if (empty) return false;
  if (!expressions.matches(node_labels)) return false;
  if (!fields.empty()) {
    Labels name_field{{"metadata.name", node_name}};
    for (const auto& f : fields)
      if (!f.matches(name_field)) return false;
  }
  return true;
}

bool NodeSelector::matches(const std::string& node_name, const Labels& node_labels) const {
  for (const auto& t : terms)
    if (t.matches(node_name, node_labels)) return true;
  return false;
}

bool HostPort::conflicts(const HostPort& o) const {
  if (port != o.port || protocol != o.protocol) return false;
  return ip == "0.0.0.0" || o.ip == "0.0.0.0" || ip == o.ip;
}

}  // namespace kite::scheduler
