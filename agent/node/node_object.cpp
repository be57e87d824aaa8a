// Building the Node object (see agent/node/node_object.h).
#include "agent/node/node_object.h"

#include "base/ids.h"

namespace kite::agent {

namespace {

using base::Reason;

std::string kibibytes(int64_t bytes) { return std::to_string(bytes / 1024) + "Ki"; }

json condition(const std::string& type, bool status, const std::string& reason, const std::string& message,
               const std::string& now, const json& previous) {
  std::string value = status ? "True" : "False";
  std::string transition = now;
  if (previous.is_object() && previous.contains("conditions") && previous["conditions"].is_array()) {
    for (const auto& c : previous["conditions"]) {
      if (c.value("type", "") == type && c.value("status", "") == value && c.contains("lastTransitionTime")) {
        transition = c["lastTransitionTime"].get<std::string>();
      }
    }
  }
  return {{"type", type},          {"status", value},     {"lastHeartbeatTime", now},
          {"lastTransitionTime", transition}, {"reason", reason}, {"message", message}};
}

}  // namespace

base::Result<std::map<std::string, std::string>> parse_node_labels(const std::vector<std::string>& labels) {
  std::map<std::string, std::string> out;
  for (const auto& l : labels) {
    auto eq = l.find('=');
    if (eq == std::string::npos || eq == 0) {
      return base::error(Reason::BadRequest, "invalid --node-label \"" + l + "\": want key=value");
    }
    out[l.substr(0, eq)] = l.substr(eq + 1);
  }
  return out;
}

base::Result<json> parse_node_taints(const std::vector<std::string>& taints) {
  json out = json::array();
  for (const auto& t : taints) {
    auto colon = t.rfind(':');
    if (colon == std::string::npos) {
      return base::error(Reason::BadRequest, "invalid --node-taint \"" + t + "\": want key[=value]:Effect");
    }
    std::string kv = t.substr(0, colon);
    std::string effect = t.substr(colon + 1);
    if (effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute") {
      return base::error(Reason::BadRequest, "invalid --node-taint \"" + t +
                                                 "\": effect must be NoSchedule, PreferNoSchedule or NoExecute");
    }
    auto eq = kv.find('=');
    std::string key = kv.substr(0, eq);
    if (key.empty()) return base::error(Reason::BadRequest, "invalid --node-taint \"" + t + "\": empty key");
    json taint = {{"key", key}, {"effect", effect}};
    if (eq != std::string::npos) taint["value"] = kv.substr(eq + 1);
    out.push_back(taint);
  }
  return out;
}

std::map<std::string, std::string> node_labels(const NodeSettings& s, const MachineFacts& f) {
  std::string arch = s.debug_arch.empty() ? f.architecture : s.debug_arch;
  std::map<std::string, std::string> labels = {
      {"kubernetes.io/arch", arch},
      {"kubernetes.io/os", "linux"},
      {"kubernetes.io/hostname", s.name},
      {"beta.kubernetes.io/arch", arch},
      {"beta.kubernetes.io/os", "linux"},
      {"node.kubernetes.io/instance-type", "kite"},
  };
  if (auto user = parse_node_labels(s.labels)) {
    for (auto& [k, v] : *user) labels[k] = v;
  }
  return labels;
}

json build_node_status(const NodeSettings& s, const MachineFacts& f, const Readiness& r,
                       const std::string& runtime_version, std::chrono::system_clock::time_point now_tp,
                       const json& previous) {
  const std::string now = base::rfc3339(now_tp);
  const int64_t eviction_memory = 100 * 1024 * 1024;  // kubelet's memory.available<100Mi
  json capacity = {{"cpu", std::to_string(f.cpus)},
                   {"memory", kibibytes(f.memory_bytes)},
                   {"pods", std::to_string(s.max_pods)},
                   {"ephemeral-storage", kibibytes(f.ephemeral_storage_bytes)},
                   {"hugepages-1Gi", "0"},
                   {"hugepages-2Mi", "0"}};
  json allocatable = capacity;
  allocatable["memory"] = kibibytes(std::max<int64_t>(0, f.memory_bytes - eviction_memory));
  // kubelet's nodefs.available<10%: allocatable is 90% of the file system, in bytes.
  allocatable["ephemeral-storage"] = std::to_string(f.ephemeral_storage_bytes / 10 * 9);
  std::string ip = s.node_ip.empty() ? default_route_ipv4() : s.node_ip;
  std::string arch = s.debug_arch.empty() ? f.architecture : s.debug_arch;
  json conditions = json::array({
      condition("MemoryPressure", false, "KubeletHasSufficientMemory", "kubelet has sufficient memory available",
                now, previous),
      condition("DiskPressure", false, "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now, previous),
      condition("PIDPressure", false, "KubeletHasSufficientPID", "kubelet has sufficient PID available", now,
                previous),
      condition("Ready", r.ready, r.ready ? "KubeletReady" : "KubeletNotReady",
                r.message.empty() ? (r.ready ? "kubelet is posting ready status" : "kubelet is not ready")
                                  : r.message,
                now, previous),
  });
  return {
      {"capacity", capacity},
      {"allocatable", allocatable},
      {"conditions", conditions},
      {"addresses", json::array({{{"type", "InternalIP"}, {"address", ip}}, {{"type", "Hostname"}, {"address", s.name}}})},
      {"daemonEndpoints", {{"kubeletEndpoint", {{"Port", s.kubelet_port}}}}},
      {"nodeInfo",
       {{"machineID", f.machine_id},
        {"systemUUID", f.system_uuid},
        {"bootID", f.boot_id},
        {"kernelVersion", f.kernel_version},
        {"osImage", f.os_image},
        {"containerRuntimeVersion", runtime_version},
        {"kubeletVersion", kKubeletVersion},
        {"kubeProxyVersion", kKubeletVersion},
        {"operatingSystem", "linux"},
        {"architecture", arch}}},
  };
}

json build_node(const NodeSettings& s, const MachineFacts& f, const Readiness& r, const std::string& runtime_version,
                std::chrono::system_clock::time_point now) {
  json labels = json::object();
  for (auto& [k, v] : node_labels(s, f)) labels[k] = v;
  json node = {{"apiVersion", "v1"},
               {"kind", "Node"},
               {"metadata", {{"name", s.name}, {"labels", labels}}},
               {"spec", json::object()},
               {"status", build_node_status(s, f, r, runtime_version, now, nullptr)}};
  auto taints = parse_node_taints(s.taints);
  if (taints && !taints->empty()) node["spec"]["taints"] = *taints;
  return node;
}

json without_heartbeats(json status) {
  if (status.contains("conditions") && status["conditions"].is_array()) {
    for (auto& c : status["conditions"]) c.erase("lastHeartbeatTime");
  }
  return status;
}

}  // namespace kite::agent
