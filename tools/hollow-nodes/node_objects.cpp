#include "tools/hollow-nodes/node_objects.h"

#include <arpa/inet.h>

#include <cstdio>

#include "base/ids.h"

namespace kite::hollow {

namespace {

json condition(const char* type, const char* status, const char* reason, const char* message, TimePoint now,
               TimePoint since) {
  return {{"type", type},
          {"status", status},
          {"reason", reason},
          {"message", message},
          {"lastHeartbeatTime", base::rfc3339(now)},
          {"lastTransitionTime", base::rfc3339(since)}};
}

// A stable fake id derived from the node name (nodeInfo.machineID and friends).
std::string fake_id(const std::string& name, const char* salt) {
  uint64_t h = 1469598103934665603ull;
  for (char c : std::string(salt) + name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(h),
                static_cast<unsigned long long>(h * 0x9e3779b97f4a7c15ull));
  return buf;
}

}  // namespace

std::string node_internal_ip(size_t index) {
  size_t v = index + 1;
  return "127.0." + std::to_string((v >> 8) & 0xff) + "." + std::to_string(v & 0xff);
}

json node_status(const HollowOptions& o, const std::string& name, size_t index, TimePoint now,
                 TimePoint ready_since) {
  json resources = {{"cpu", o.cpu},
                    {"memory", o.memory},
                    {"pods", std::to_string(o.pods)},
                    {"ephemeral-storage", o.ephemeral_storage}};
  return {
      {"capacity", resources},
      {"allocatable", resources},
      {"addresses", json::array({{{"type", "InternalIP"}, {"address", node_internal_ip(index)}},
                                 {{"type", "Hostname"}, {"address", name}}})},
      {"daemonEndpoints", {{"kubeletEndpoint", {{"Port", 10250}}}}},
      {"nodeInfo",
       {{"machineID", fake_id(name, "machine")},
        {"systemUUID", fake_id(name, "system")},
        {"bootID", fake_id(name, "boot")},
        {"kernelVersion", "6.1.0-hollow"},
        {"osImage", "kite hollow node"},
        {"containerRuntimeVersion", "hollow://1.0.0"},
        {"kubeletVersion", "v1.32.0-kite-hollow"},
        {"kubeProxyVersion", "v1.32.0-kite-hollow"},
        {"operatingSystem", "linux"},
        {"architecture", o.arch}}},
      {"conditions",
       json::array({condition("MemoryPressure", "False", "KubeletHasSufficientMemory",
                              "kubelet has sufficient memory available", now, ready_since),
                    condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure",
                              now, ready_since),
                    condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available",
                              now, ready_since),
                    condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now,
                              ready_since)})},
  };
}

json node_object(const HollowOptions& o, const std::string& name, size_t index, TimePoint now,
                 TimePoint ready_since) {
  json labels = {{"kubernetes.io/hostname", name},
                 {"kubernetes.io/os", "linux"},
                 {"kubernetes.io/arch", o.arch},
                 {"beta.kubernetes.io/os", "linux"},
                 {"beta.kubernetes.io/arch", o.arch}};
  if (!o.zone.empty()) labels["topology.kubernetes.io/zone"] = o.zone;
  for (const auto& [k, v] : o.labels) labels[k] = v;
  json node = {{"apiVersion", "v1"},
               {"kind", "Node"},
               {"metadata", {{"name", name}, {"labels", labels}}},
               {"spec", json::object()},
               {"status", node_status(o, name, index, now, ready_since)}};
  if (!o.taints.empty()) node["spec"]["taints"] = o.taints;
  return node;
}

json node_lease(const HollowOptions& o, const std::string& name, const std::string& node_uid, TimePoint now) {
  json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                {"kind", "Lease"},
                {"metadata", {{"name", name}, {"namespace", kNodeLeaseNamespace}}},
                {"spec",
                 {{"holderIdentity", name},
                  {"leaseDurationSeconds", o.lease_duration_seconds},
                  {"renewTime", base::rfc3339_micro(now)}}}};
  if (!node_uid.empty()) {
    lease["metadata"]["ownerReferences"] =
        json::array({{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", name}, {"uid", node_uid}}});
  }
  return lease;
}

std::string pod_ip(const std::string& pod_cidr, size_t node_index, uint64_t n) {
  auto slash = pod_cidr.find('/');
  if (slash != std::string::npos) {
    in_addr addr{};
    int bits = -1;
    try {
      bits = std::stoi(pod_cidr.substr(slash + 1));
    } catch (...) {
      bits = -1;
    }
    if (bits >= 8 && bits <= 30 && inet_pton(AF_INET, pod_cidr.substr(0, slash).c_str(), &addr) == 1) {
      uint32_t base = ntohl(addr.s_addr);
      uint32_t size = bits == 0 ? 0 : (1u << (32 - bits));
      uint32_t mask = ~(size - 1);
      uint32_t usable = size - 3;  // skip network, .1 (gateway) and broadcast
      uint32_t ip = (base & mask) + 2 + static_cast<uint32_t>(n % usable);
      in_addr out{htonl(ip)};
      char buf[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, &out, buf, sizeof buf);
      return buf;
    }
  }
  size_t second = node_index < 256 ? 42 : 100 + node_index / 256;
  return "10." + std::to_string(second % 256) + "." + std::to_string(node_index % 256) + "." +
         std::to_string(2 + n % 250);
}

}  // namespace kite::hollow
