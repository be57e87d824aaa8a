// Builders of Pod and Node JSON for the scheduler's tests.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "scheduler/node_info.h"
#include "scheduler/pod_info.h"

namespace kite::scheduler::testing {

using json = nlohmann::json;

inline json make_node(const std::string& name, const std::string& cpu = "4", const std::string& memory = "8Gi",
                      const std::string& pods = "110", json labels = json::object()) {
  if (!labels.contains(kHostnameLabel)) labels[kHostnameLabel] = name;
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", name}, {"labels", labels}}},
          {"spec", json::object()},
          {"status",
           {{"allocatable", {{"cpu", cpu}, {"memory", memory}, {"pods", pods}, {"ephemeral-storage", "100Gi"}}},
            {"capacity", {{"cpu", cpu}, {"memory", memory}, {"pods", pods}, {"ephemeral-storage", "100Gi"}}}}}};
}

inline json make_pod(const std::string& name, const std::string& cpu = "", const std::string& memory = "",
                     const std::string& ns = "default") {
  json requests = json::object();
  if (!cpu.empty()) requests["cpu"] = cpu;
  if (!memory.empty()) requests["memory"] = memory;
  json container = {{"name", "c"}, {"image", "busybox:1.36"}};
  if (!requests.empty()) container["resources"] = {{"requests", requests}};
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"uid", "uid-" + name}}},
          {"spec", {{"containers", json::array({container})}}},
          {"status", {{"phase", "Pending"}}}};
}

inline NodeInfo node_info(const json& node) { return NodeInfo(parse_node(node)); }

// A node with the given pods already on it.
inline NodeInfo node_with_pods(const json& node, const std::vector<json>& pods) {
  NodeInfo n(parse_node(node));
  for (auto p : pods) {
    p["spec"]["nodeName"] = node["metadata"]["name"];
    n.add_pod(parse_pod(p));
  }
  return n;
}

}  // namespace kite::scheduler::testing
