// agent/app/agent_config.h: flag names, env vars, config file, resolution and refusals.
#include "agent/app/agent_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "base/pki.h"

namespace kite::agent {
namespace {

base::Result<std::vector<std::string>> parse(AgentConfig& c, std::vector<const char*> args) {
  c.config_file = "/nonexistent/kite-config.yaml";  // not explicit: a missing file is fine
  base::FlagSet f("kite agent");
  register_agent_flags(f, c);
  return f.parse(static_cast<int>(args.size()), args.data());
}

TEST(AgentConfigTest, DefaultsAndFlags) {
  AgentConfig c;
  ASSERT_TRUE(parse(c, {"--server", "https://h:6443", "--token", "K10::server:x", "--node-label", "a=b",
                        "--node-label", "c=d", "--node-taint", "k=v:NoSchedule", "--kubelet-arg", "max-pods=50",
                        "--log-root", "/tmp/logs", "--debug-node-arch", "arm64", "--with-node-id"})
                  .has_value());
  EXPECT_EQ(c.server, "https://h:6443");
  EXPECT_EQ(c.data_dir, "/var/lib/kite");
  EXPECT_EQ(c.node_label, (std::vector<std::string>{"a=b", "c=d"}));
  EXPECT_EQ(c.node_taint.size(), 1u);
  EXPECT_EQ(c.kubelet_arg, std::vector<std::string>{"max-pods=50"});
  EXPECT_EQ(c.log_root, "/tmp/logs");
  EXPECT_EQ(c.debug_node_arch, "arm64");
  EXPECT_TRUE(c.with_node_id);
  EXPECT_EQ(c.cluster_dns, "10.43.0.10");
  EXPECT_EQ(c.cluster_cidr, "10.42.0.0/16");
  EXPECT_EQ(c.private_registry, "/etc/kite/registries.yaml");
}

TEST(AgentConfigTest, Environment) {
  setenv("KITE_URL", "https://env:6443", 1);
  setenv("KITE_TOKEN", "envtoken", 1);
  setenv("KITE_NODE_NAME", "EnvNode", 1);
  AgentConfig c;
  ASSERT_TRUE(parse(c, {}).has_value());
  unsetenv("KITE_URL");
  unsetenv("KITE_TOKEN");
  unsetenv("KITE_NODE_NAME");
  EXPECT_EQ(c.server, "https://env:6443");
  EXPECT_EQ(c.token, "envtoken");
  auto r = resolve_agent_config(c);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->node_name, "envnode");
}

TEST(AgentConfigTest, ResolveRefusesClearly) {
  AgentConfig c;
  c.server = "https://h:6443";
  c.token = "t";
  c.node_name = "n1";
  EXPECT_TRUE(resolve_agent_config(c).has_value());
  auto with = [&](auto edit) {
    AgentConfig x = c;
    edit(x);
    return resolve_agent_config(x);
  };
  EXPECT_NE(with([](AgentConfig& x) { x.server = ""; }).error().message().find("--server"), std::string::npos);
  EXPECT_NE(with([](AgentConfig& x) { x.server = "http://h"; }).error().message().find("https://"), std::string::npos);
  EXPECT_NE(with([](AgentConfig& x) { x.token = ""; }).error().message().find("--token"), std::string::npos);
  EXPECT_NE(with([](AgentConfig& x) { x.kubelet_arg = {"cgroup-driver=systemd"}; }).error().message().find("not supported"),
            std::string::npos);
  EXPECT_TRUE(with([](AgentConfig& x) { x.kubelet_arg = {"--max-pods=20", "port=10251"}; }).has_value());
  EXPECT_FALSE(with([](AgentConfig& x) { x.kubelet_arg = {"max-pods=many"}; }).has_value());
  EXPECT_FALSE(with([](AgentConfig& x) { x.flannel_backend = "vxlan"; }).has_value());
  EXPECT_TRUE(with([](AgentConfig& x) { x.flannel_backend = "none"; }).has_value());
  EXPECT_FALSE(with([](AgentConfig& x) { x.node_label = {"nolabel"}; }).has_value());
  EXPECT_FALSE(with([](AgentConfig& x) { x.node_taint = {"k=v"}; }).has_value());
  EXPECT_FALSE(with([](AgentConfig& x) { x.node_ip = "nope"; }).has_value());
  EXPECT_FALSE(with([](AgentConfig& x) { x.node_name = "bad_name"; }).has_value());
  EXPECT_FALSE(with([](AgentConfig& x) { x.debug_node_arch = "vax"; }).has_value());
}

TEST(AgentConfigTest, TokenFileAndNodeId) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "kite-agentcfg-XXXXXX").string();
  std::string dir = mkdtemp(tmpl.data());
  ASSERT_TRUE(base::write_file_atomic(dir + "/token", "K10::server:fromfile\n", 0600).has_value());
  AgentConfig c;
  c.server = "https://h:6443";
  c.token_file = dir + "/token";
  c.node_name = "n1";
  c.data_dir = dir;
  c.with_node_id = true;
  auto r = resolve_agent_config(c);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->token, "K10::server:fromfile");
  EXPECT_TRUE(r->node_name.starts_with("n1-"));
  EXPECT_EQ(r->node_name.size(), 11u);
  EXPECT_EQ(resolve_agent_config(c)->node_name, r->node_name);  // stable
  c.token_file = dir + "/missing";
  EXPECT_FALSE(resolve_agent_config(c).has_value());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kite::agent
