// The pure parts of the pod worker: DNS per policy, resources, phases, back-off wording,
// status diffs and registry credentials.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "agent/pods/backoff.h"
#include "agent/pods/container_config.h"
#include "agent/pods/image_puller.h"
#include "agent/pods/pod_spec.h"
#include "agent/pods/pod_status.h"
#include "agent/pods/pod_worker.h"
#include "agent/pods/sandbox_config.h"

namespace kite::agent::pods {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

class PodPartsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    resolv = std::filesystem::temp_directory_path() / ("kite-pods-resolv-" + std::to_string(::getpid()));
    std::ofstream(resolv) << "# host\nnameserver 192.168.5.1\nnameserver 192.168.5.2\nsearch lab.example corp.example\n"
                             "options edns0 ndots:2\n";
    settings.cluster_dns = "10.43.0.10";
    settings.resolv_conf = resolv.string();
  }
  void TearDown() override { std::filesystem::remove(resolv); }

  static json pod_with(json spec) {
    return {{"metadata", {{"name", "p"}, {"namespace", "shop"}, {"uid", "u1"}}}, {"spec", std::move(spec)}};
  }

  std::filesystem::path resolv;
  SandboxSettings settings;
};

TEST_F(PodPartsTest, DnsFollowsTheDnsPolicy) {
  DnsConfig cluster = pod_dns_config(pod_with({{"containers", json::array()}}), settings);
  EXPECT_EQ(cluster.servers, std::vector<std::string>{"10.43.0.10"});
  EXPECT_EQ(cluster.searches, (std::vector<std::string>{"shop.svc.cluster.local", "svc.cluster.local", "cluster.local",
                                                         "lab.example", "corp.example"}));
  EXPECT_EQ(cluster.options, std::vector<std::string>{"ndots:5"});

  // ClusterFirst with hostNetwork falls back to the host's DNS; ClusterFirstWithHostNet does not.
  DnsConfig host = pod_dns_config(pod_with({{"hostNetwork", true}}), settings);
  EXPECT_EQ(host.servers, (std::vector<std::string>{"192.168.5.1", "192.168.5.2"}));
  EXPECT_EQ(host.searches, (std::vector<std::string>{"lab.example", "corp.example"}));
  EXPECT_EQ(host.options, (std::vector<std::string>{"edns0", "ndots:2"}));
  DnsConfig with_host_net =
      pod_dns_config(pod_with({{"hostNetwork", true}, {"dnsPolicy", "ClusterFirstWithHostNet"}}), settings);
  EXPECT_EQ(with_host_net.servers, std::vector<std::string>{"10.43.0.10"});

  DnsConfig def = pod_dns_config(pod_with({{"dnsPolicy", "Default"}}), settings);
  EXPECT_EQ(def.servers, (std::vector<std::string>{"192.168.5.1", "192.168.5.2"}));

  json none_spec = {{"dnsPolicy", "None"},
                    {"dnsConfig", {{"nameservers", {"1.1.1.1"}},
                                   {"searches", {"a.example"}},
                                   {"options", json::array({{{"name", "ndots"}, {"value", "1"}}, {{"name", "rotate"}}})}}}};
  DnsConfig none = pod_dns_config(pod_with(none_spec), settings);
  EXPECT_EQ(none.servers, std::vector<std::string>{"1.1.1.1"});
  EXPECT_EQ(none.searches, std::vector<std::string>{"a.example"});
  EXPECT_EQ(none.options, (std::vector<std::string>{"ndots:1", "rotate"}));

  // dnsConfig merges into ClusterFirst: its ndots overrides the default.
  json merged_spec = {{"dnsConfig", {{"options", json::array({{{"name", "ndots"}, {"value", "2"}}})}}}};
  EXPECT_EQ(pod_dns_config(pod_with(merged_spec), settings).options, std::vector<std::string>{"ndots:2"});
}

TEST_F(PodPartsTest, SandboxConfigCarriesHostNamespacesSysctlsAndSecurity) {
  json spec = {{"hostname", "db-0"},
               {"hostPID", true},
               {"securityContext", {{"runAsUser", 1000}, {"runAsGroup", 3000}, {"supplementalGroups", {4000}},
                                    {"sysctls", json::array({{{"name", "net.core.somaxconn"}, {"value", "1024"}}})}}},
               {"containers", json::array({{{"name", "c"}, {"securityContext", {{"privileged", true}}}}})}};
  SandboxConfig c = make_sandbox_config(pod_with(spec), 2, settings);
  EXPECT_EQ(c.hostname, "db-0");
  EXPECT_EQ(c.attempt, 2u);
  EXPECT_TRUE(c.host_pid);
  EXPECT_FALSE(c.host_network);
  EXPECT_EQ(c.sysctls.at("net.core.somaxconn"), "1024");
  EXPECT_EQ(c.run_as_user, 1000);
  EXPECT_EQ(c.run_as_group, 3000);
  EXPECT_EQ(c.supplemental_groups, std::vector<int64_t>{4000});
  EXPECT_TRUE(c.privileged);
  EXPECT_EQ(c.log_directory, "/var/log/pods/shop_p_u1");
  EXPECT_EQ(c.annotations.at("kubernetes.io/config.source"), "api");
  EXPECT_TRUE(make_sandbox_config(pod_with({{"hostNetwork", true}}), 0, settings).hostname.empty());
}

TEST_F(PodPartsTest, ResourcesAsKubeletConvertsThem) {
  EXPECT_EQ(milli_cpu_to_shares(0), 2);
  EXPECT_EQ(milli_cpu_to_shares(1), 2);
  EXPECT_EQ(milli_cpu_to_shares(100), 102);
  EXPECT_EQ(milli_cpu_to_shares(2000), 2048);
  EXPECT_EQ(milli_cpu_to_quota(0, 100000), 0);
  EXPECT_EQ(milli_cpu_to_quota(5, 100000), 1000);
  EXPECT_EQ(milli_cpu_to_quota(1500, 100000), 150000);

  json best_effort = pod_with({{"containers", json::array({{{"name", "c"}}})}});
  auto r = container_resources(best_effort, best_effort["spec"]["containers"][0], 8LL << 30);
  EXPECT_EQ(r.cpu_shares, 2);
  EXPECT_EQ(r.cpu_quota, 0);
  EXPECT_EQ(r.oom_score_adj, 1000);
  EXPECT_EQ(pod_qos_class(best_effort), "BestEffort");

  json guaranteed = pod_with({{"containers", json::array({{{"name", "c"},
      {"resources", {{"limits", {{"cpu", "1"}, {"memory", "1Gi"}}}}}}})}});
  r = container_resources(guaranteed, guaranteed["spec"]["containers"][0], 8LL << 30);
  EXPECT_EQ(pod_qos_class(guaranteed), "Guaranteed");
  EXPECT_EQ(r.cpu_shares, 1024);  // the request defaults to the limit
  EXPECT_EQ(r.cpu_quota, 100000);
  EXPECT_EQ(r.memory_limit_bytes, 1LL << 30);
  EXPECT_EQ(r.oom_score_adj, -997);

  json burstable = pod_with({{"containers", json::array({{{"name", "c"},
      {"resources", {{"requests", {{"memory", "2Gi"}}}}}}})}});
  r = container_resources(burstable, burstable["spec"]["containers"][0], 8LL << 30);
  EXPECT_EQ(r.oom_score_adj, 750);
}

TEST_F(PodPartsTest, SecurityContextUsesPodDefaultsAndRefusesRootWithRunAsNonRoot) {
  json p = pod_with({{"securityContext", {{"runAsUser", 1000}, {"fsGroup", 2000}}}});
  json c = {{"name", "c"}, {"securityContext", {{"runAsGroup", 5}, {"allowPrivilegeEscalation", false},
                                                 {"readOnlyRootFilesystem", true},
                                                 {"capabilities", {{"add", {"NET_ADMIN"}}, {"drop", {"CAP_ALL"}}}}}}};
  auto s = container_security(p, c);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->run_as_user, 1000);
  EXPECT_EQ(s->run_as_group, 5);
  EXPECT_EQ(s->supplemental_groups, std::vector<int64_t>{2000});
  EXPECT_TRUE(s->no_new_privs);
  EXPECT_TRUE(s->readonly_rootfs);
  EXPECT_EQ(s->add_capabilities, std::vector<std::string>{"NET_ADMIN"});
  EXPECT_EQ(s->drop_capabilities, std::vector<std::string>{"ALL"});

  json root = {{"name", "c"}, {"securityContext", {{"runAsUser", 0}, {"runAsNonRoot", true}}}};
  auto refused = container_security(p, root);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().message(), "container's runAsUser breaks non-root policy (pod: \"p_shop(u1)\", container: c)");
}

TEST_F(PodPartsTest, PullPolicyDefaultsAndCredentialsMatching) {
  EXPECT_EQ(image_pull_policy({{"image", "nginx"}}), "Always");
  EXPECT_EQ(image_pull_policy({{"image", "nginx:latest"}}), "Always");
  EXPECT_EQ(image_pull_policy({{"image", "registry.local:5000/nginx"}}), "Always");
  EXPECT_EQ(image_pull_policy({{"image", "nginx:1.25"}}), "IfNotPresent");
  EXPECT_EQ(image_pull_policy({{"image", "nginx@sha256:abc"}}), "IfNotPresent");
  EXPECT_EQ(image_pull_policy({{"image", "nginx"}, {"imagePullPolicy", "Never"}}), "Never");

  EXPECT_EQ(image_registry("nginx"), "docker.io");
  EXPECT_EQ(image_registry("library/nginx:1"), "docker.io");
  EXPECT_EQ(image_registry("registry.local:5000/a/b:1"), "registry.local:5000");
  EXPECT_EQ(image_registry("localhost/a"), "localhost");

  json config = {{"auths", {{"https://index.docker.io/v1/", {{"auth", "dXNlcjpwYXNz"}}},
                            {"*.corp.example", {{"username", "w"}, {"password", "p"}}}}}};
  auto hub = matching_credentials(config, "nginx:1");
  ASSERT_EQ(hub.size(), 1u);
  EXPECT_EQ(hub[0].username, "user");
  EXPECT_EQ(hub[0].password, "pass");
  EXPECT_EQ(matching_credentials(config, "reg.corp.example/app:1").size(), 1u);
  EXPECT_TRUE(matching_credentials(config, "quay.io/app:1").empty());
}

TEST_F(PodPartsTest, BackoffAndGoDurations) {
  EXPECT_EQ(format_go_duration(10s), "10s");
  EXPECT_EQ(format_go_duration(80s), "1m20s");
  EXPECT_EQ(format_go_duration(5min), "5m0s");
  EXPECT_EQ(format_go_duration(1500ms), "1.5s");
  EXPECT_EQ(format_go_duration(250ms), "250ms");
  EXPECT_EQ(format_go_duration(2h + 3s), "2h0m3s");

  Backoff b(10s, 300s);
  base::Clock::time_point t0{std::chrono::seconds(1'700'000'000)};
  EXPECT_FALSE(b.in_backoff_since("k", t0, t0));
  EXPECT_EQ(b.next("k", t0), 10s);
  EXPECT_TRUE(b.in_backoff_since("k", t0, t0 + 9s));
  EXPECT_FALSE(b.in_backoff_since("k", t0, t0 + 10s));
  EXPECT_EQ(b.next("k", t0 + 10s), 20s);
  for (int i = 0; i < 6; ++i) b.next("k", t0 + 20s);
  EXPECT_EQ(b.get("k"), 300s);
  // Ten minutes without an update: the key starts over.
  EXPECT_FALSE(b.in_backoff_since("k", t0 + 20s + 601s, t0 + 20s + 601s));
  EXPECT_EQ(b.next("k", t0 + 20s + 601s), 10s);
}

TEST_F(PodPartsTest, MergePatchDiffRemovesAndReplaces) {
  json from = {{"phase", "Pending"}, {"podIP", "10.0.0.1"}, {"conditions", json::array({1, 2})}, {"nested", {{"a", 1}, {"b", 2}}}};
  json to = {{"phase", "Running"}, {"conditions", json::array({1})}, {"nested", {{"a", 1}, {"b", 3}}}};
  EXPECT_EQ(merge_patch_diff(from, to), (json{{"phase", "Running"}, {"podIP", nullptr}, {"conditions", json::array({1})},
                                              {"nested", {{"b", 3}}}}));
  EXPECT_TRUE(merge_patch_diff(to, to).is_null());
}

TEST_F(PodPartsTest, PhaseFollowsKubeletsRules) {
  auto status = [](const std::string& name, json state, json last = json::object()) {
    return json{{"name", name}, {"state", std::move(state)}, {"lastState", std::move(last)}, {"ready", false}};
  };
  json running = {{"running", {{"startedAt", "x"}}}};
  json ok = {{"terminated", {{"exitCode", 0}}}};
  json bad = {{"terminated", {{"exitCode", 1}}}};
  json waiting = {{"waiting", {{"reason", "ContainerCreating"}}}};
  json two = {{"spec", {{"restartPolicy", "Always"}, {"containers", json::array({{{"name", "a"}}, {{"name", "b"}}})}}}};
  EXPECT_EQ(pod_phase(two, json::array(), json::array({status("a", running), status("b", waiting)})), "Pending");
  EXPECT_EQ(pod_phase(two, json::array(), json::array({status("a", running), status("b", ok)})), "Running");
  EXPECT_EQ(pod_phase(two, json::array(), json::array({status("a", ok), status("b", bad)})), "Running");
  EXPECT_EQ(pod_phase(two, json::array(), json::array({status("a", ok), status("b", bad)}), true), "Failed");
  two["spec"]["restartPolicy"] = "OnFailure";
  EXPECT_EQ(pod_phase(two, json::array(), json::array({status("a", ok), status("b", ok)})), "Succeeded");
  EXPECT_EQ(pod_phase(two, json::array(), json::array({status("a", ok), status("b", bad)})), "Running");
  two["spec"]["restartPolicy"] = "Never";
  EXPECT_EQ(pod_phase(two, json::array(), json::array({status("a", ok), status("b", bad)})), "Failed");
  // A terminal phase never changes.
  two["status"]["phase"] = "Succeeded";
  EXPECT_EQ(pod_phase(two, json::array(), json::array({status("a", running), status("b", running)})), "Succeeded");

  json init = {{"spec", {{"restartPolicy", "Always"},
                         {"initContainers", json::array({{{"name", "i"}}})},
                         {"containers", json::array({{{"name", "a"}}})}}}};
  json crashloop = {{"waiting", {{"reason", "CrashLoopBackOff"}}}};
  EXPECT_EQ(pod_phase(init, json::array({status("i", crashloop, bad)}), json::array({status("a", waiting)})), "Pending");
  init["spec"]["restartPolicy"] = "Never";
  EXPECT_EQ(pod_phase(init, json::array({status("i", bad)}), json::array({status("a", waiting)})), "Failed");
}

}  // namespace
}  // namespace kite::agent::pods
