#include "server/controllers/nodelifecycle/taints.h"

#include <algorithm>

namespace kite::controllers::nodelifecycle {

bool tolerates(const json& toleration, const json& taint) {
  std::string effect = toleration.value("effect", "");
  if (!effect.empty() && effect != taint.value("effect", "")) return false;
  std::string key = toleration.value("key", "");
  std::string op = toleration.value("operator", "Equal");
  if (!key.empty() && key != taint.value("key", "")) return false;
  if (key.empty() && op != "Exists") return false;
  if (op == "Exists") return true;
  if (op == "Equal" || op.empty()) return toleration.value("value", "") == taint.value("value", "");
  return false;
}

json node_taints(const json& node) {
  auto spec = node.find("spec");
  if (spec == node.end() || !spec->is_object()) return json::array();
  auto t = spec->find("taints");
  return t != spec->end() && t->is_array() ? *t : json::array();
}

std::vector<json> taints_with_effect(const json& node, const std::string& effect) {
  std::vector<json> out;
  for (const auto& t : node_taints(node)) {
    if (t.value("effect", "") == effect) out.push_back(t);
  }
  return out;
}

std::string condition_status(const json& node, const std::string& type) {
  auto status = node.find("status");
  if (status == node.end() || !status->is_object()) return "";
  auto conds = status->find("conditions");
  if (conds == status->end() || !conds->is_array()) return "";
  for (const auto& c : *conds) {
    if (c.value("type", "") == type) return c.value("status", "");
  }
  return "";
}

std::vector<std::string> desired_no_schedule_taint_keys(const json& node) {
  std::vector<std::string> keys;
  std::string ready = condition_status(node, "Ready");
  if (ready == "False") keys.push_back(kTaintNotReady);
  if (ready == "Unknown") keys.push_back(kTaintUnreachable);
  if (condition_status(node, "MemoryPressure") == "True") keys.push_back(kTaintMemoryPressure);
  if (condition_status(node, "DiskPressure") == "True") keys.push_back(kTaintDiskPressure);
  if (condition_status(node, "PIDPressure") == "True") keys.push_back(kTaintPIDPressure);
  if (condition_status(node, "NetworkUnavailable") == "True") keys.push_back(kTaintNetworkUnavailable);
  if (node.contains("spec") && node["spec"].value("unschedulable", false)) keys.push_back(kTaintUnschedulable);
  return keys;
}

const std::vector<std::string>& managed_no_schedule_taint_keys() {
  static const std::vector<std::string> keys = {kTaintNotReady,      kTaintUnreachable,  kTaintMemoryPressure,
                                                kTaintDiskPressure,  kTaintPIDPressure,  kTaintNetworkUnavailable,
                                                kTaintUnschedulable};
  return keys;
}

json swap_taints(const json& taints, const std::string& effect, const std::vector<std::string>& remove_keys,
                 const std::vector<std::string>& add_keys, const std::string& now_rfc3339) {
  json out = json::array();
  auto in = [](const std::vector<std::string>& v, const std::string& k) {
    return std::find(v.begin(), v.end(), k) != v.end();
  };
  for (const auto& t : taints) {
    std::string key = t.value("key", "");
    if (t.value("effect", "") == effect && in(remove_keys, key) && !in(add_keys, key)) continue;
    out.push_back(t);
  }
  for (const auto& key : add_keys) {
    bool present = false;
    for (const auto& t : out) present = present || (t.value("key", "") == key && t.value("effect", "") == effect);
    if (!present) out.push_back({{"key", key}, {"effect", effect}, {"timeAdded", now_rfc3339}});
  }
  return out;
}

}  // namespace kite::controllers::nodelifecycle
