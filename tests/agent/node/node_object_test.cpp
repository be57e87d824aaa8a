// agent/node/node_object.h and machine_facts.h: labels, taints, capacity, nodeInfo, conditions.
#include "agent/node/node_object.h"

#include <gtest/gtest.h>

namespace kite::agent {
namespace {

MachineFacts facts() {
  MachineFacts f;
  f.cpus = 4;
  f.memory_bytes = int64_t{8} * 1024 * 1024 * 1024;
  f.ephemeral_storage_bytes = int64_t{100} * 1024 * 1024 * 1024;
  f.kernel_version = "6.1.0-test";
  f.os_image = "Debian GNU/Linux 12 (bookworm)";
  f.architecture = "amd64";
  f.machine_id = "m1";
  f.system_uuid = "u1";
  f.boot_id = "b1";
  f.hostname = "host-1";
  return f;
}

NodeSettings settings() {
  NodeSettings s;
  s.name = "n1";
  s.node_ip = "10.0.0.7";
  s.labels = {"role=edge", "kubernetes.io/os=ignored-but-user-wins"};
  s.taints = {"dedicated=gpu:NoSchedule", "maint:NoExecute"};
  return s;
}

TEST(NodeObjectTest, KubeletLabelsAndUserLabels) {
  auto l = node_labels(settings(), facts());
  EXPECT_EQ(l["kubernetes.io/arch"], "amd64");
  EXPECT_EQ(l["beta.kubernetes.io/arch"], "amd64");
  EXPECT_EQ(l["beta.kubernetes.io/os"], "linux");
  EXPECT_EQ(l["kubernetes.io/hostname"], "n1");
  EXPECT_EQ(l["node.kubernetes.io/instance-type"], "kite");
  EXPECT_EQ(l["role"], "edge");
  EXPECT_EQ(l["kubernetes.io/os"], "ignored-but-user-wins");
  NodeSettings s = settings();
  s.debug_arch = "arm64";
  EXPECT_EQ(node_labels(s, facts())["kubernetes.io/arch"], "arm64");
}

TEST(NodeObjectTest, ParsesTaintsAndRejectsBadOnes) {
  auto t = parse_node_taints({"dedicated=gpu:NoSchedule", "maint:NoExecute"});
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ((*t)[0], (json{{"key", "dedicated"}, {"value", "gpu"}, {"effect", "NoSchedule"}}));
  EXPECT_EQ((*t)[1], (json{{"key", "maint"}, {"effect", "NoExecute"}}));
  EXPECT_FALSE(parse_node_taints({"a=b"}).has_value());
  EXPECT_FALSE(parse_node_taints({"a=b:Sometimes"}).has_value());
  EXPECT_FALSE(parse_node_taints({"=b:NoSchedule"}).has_value());
  EXPECT_FALSE(parse_node_labels({"novalue"}).has_value());
  EXPECT_FALSE(parse_node_labels({"=x"}).has_value());
}

TEST(NodeObjectTest, BuildsTheWholeNode) {
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  json node = build_node(settings(), facts(), {false, "container runtime is down"}, "containerd://1.6.20", now);
  EXPECT_EQ(node["metadata"]["name"], "n1");
  EXPECT_EQ(node["spec"]["taints"].size(), 2u);
  const json& st = node["status"];
  EXPECT_EQ(st["capacity"]["cpu"], "4");
  EXPECT_EQ(st["capacity"]["memory"], "8388608Ki");
  EXPECT_EQ(st["capacity"]["pods"], "110");
  EXPECT_EQ(st["capacity"]["ephemeral-storage"], "104857600Ki");
  EXPECT_EQ(st["allocatable"]["memory"], "8286208Ki");
  EXPECT_EQ(st["addresses"][0], (json{{"type", "InternalIP"}, {"address", "10.0.0.7"}}));
  EXPECT_EQ(st["addresses"][1], (json{{"type", "Hostname"}, {"address", "n1"}}));
  EXPECT_EQ(st["daemonEndpoints"]["kubeletEndpoint"]["Port"], 10250);
  EXPECT_EQ(st["nodeInfo"]["kubeletVersion"], "v1.32.0-kite");
  EXPECT_EQ(st["nodeInfo"]["containerRuntimeVersion"], "containerd://1.6.20");
  EXPECT_EQ(st["nodeInfo"]["osImage"], "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(st["nodeInfo"]["architecture"], "amd64");
  EXPECT_EQ(st["nodeInfo"]["operatingSystem"], "linux");
  EXPECT_EQ(st["nodeInfo"]["machineID"], "m1");
  std::map<std::string, json> conds;
  for (const auto& c : st["conditions"]) conds[c["type"]] = c;
  EXPECT_EQ(conds["Ready"]["status"], "False");
  EXPECT_EQ(conds["Ready"]["reason"], "KubeletNotReady");
  EXPECT_EQ(conds["Ready"]["message"], "container runtime is down");
  EXPECT_EQ(conds["MemoryPressure"]["reason"], "KubeletHasSufficientMemory");
  EXPECT_EQ(conds["DiskPressure"]["reason"], "KubeletHasNoDiskPressure");
  EXPECT_EQ(conds["PIDPressure"]["reason"], "KubeletHasSufficientPID");
  EXPECT_EQ(conds["Ready"]["lastHeartbeatTime"], "2027-01-15T08:00:00Z");
}

TEST(NodeObjectTest, TransitionTimeKeptWhileStatusUnchanged) {
  auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  auto t1 = t0 + std::chrono::seconds(30);
  json s0 = build_node_status(settings(), facts(), {false, "down"}, "", t0, nullptr);
  json s1 = build_node_status(settings(), facts(), {false, "down"}, "", t1, s0);
  json s2 = build_node_status(settings(), facts(), {true, ""}, "", t1, s1);
  auto ready = [](const json& s) {
    for (const auto& c : s["conditions"]) {
      if (c["type"] == "Ready") return c;
    }
    return json();
  };
  EXPECT_EQ(ready(s1)["lastTransitionTime"], ready(s0)["lastTransitionTime"]);
  EXPECT_NE(ready(s1)["lastHeartbeatTime"], ready(s0)["lastHeartbeatTime"]);
  EXPECT_EQ(without_heartbeats(s0), without_heartbeats(s1));
  EXPECT_EQ(ready(s2)["status"], "True");
  EXPECT_EQ(ready(s2)["reason"], "KubeletReady");
  EXPECT_EQ(ready(s2)["lastTransitionTime"], "2027-01-15T08:00:30Z");
  EXPECT_NE(without_heartbeats(s1), without_heartbeats(s2));
}

TEST(MachineFactsTest, Parsers) {
  EXPECT_EQ(go_arch("x86_64"), "amd64");
  EXPECT_EQ(go_arch("aarch64"), "arm64");
  EXPECT_EQ(go_arch("armv7l"), "arm");
  EXPECT_EQ(os_release_pretty_name("NAME=x\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"),
            "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(os_release_pretty_name("NAME=x\n"), "");
  EXPECT_EQ(meminfo_total_bytes("MemTotal:       16303580 kB\nMemFree: 1 kB\n"), int64_t{16303580} * 1024);
  auto f = collect_machine_facts("/");
  EXPECT_GE(f.cpus, 1);
  EXPECT_GT(f.memory_bytes, 0);
  EXPECT_GT(f.ephemeral_storage_bytes, 0);
  EXPECT_FALSE(f.kernel_version.empty());
  EXPECT_FALSE(f.architecture.empty());
  EXPECT_FALSE(default_route_ipv4().empty());
}

}  // namespace
}  // namespace kite::agent
