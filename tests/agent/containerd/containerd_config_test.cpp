// Unit tests: containerd config.toml rendering, derived paths, registries.yaml parsing.
#include "agent/containerd/containerd_config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "agent/containerd/registries.h"

namespace kite::agent {
namespace {

ContainerdOptions sample_options() {
  ContainerdOptions o;
  o.data_dir = "/var/lib/kite";
  o.state_dir = "/run/kite/node1";
  o.node_ip = "10.0.0.7";
  return o;
}

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(ContainerdPaths, FollowK3sLayout) {
  ContainerdOptions o;
  o.data_dir = "/var/lib/kite";
  ContainerdPaths p = containerd_paths(o);
  EXPECT_EQ(p.config_file, "/var/lib/kite/agent/etc/containerd/config.toml");
  EXPECT_EQ(p.root_dir, "/var/lib/kite/agent/containerd");
  EXPECT_EQ(p.state_dir, "/run/kite/containerd");
  EXPECT_EQ(p.socket, "/run/kite/containerd/containerd.sock");
  EXPECT_EQ(p.log_file, "/var/lib/kite/agent/containerd/containerd.log");
  EXPECT_EQ(p.cni_conf_dir, "/var/lib/kite/agent/etc/cni/net.d");
  EXPECT_EQ(p.images_dir, "/var/lib/kite/agent/images");
  EXPECT_EQ(p.import_state_file, "/var/lib/kite/agent/images/.imported");
  o.state_dir = "/run/kite/node2/";
  EXPECT_EQ(containerd_paths(o).socket, "/run/kite/node2/containerd.sock");
}

TEST(ContainerdConfig, RendersEverySettingTheseMachinesNeed) {
  ContainerdOptions o = sample_options();
  std::string t = render_containerd_config(o, containerd_paths(o), {});
  EXPECT_TRUE(has(t, "version = 2\n"));
  EXPECT_TRUE(has(t, "root = \"/var/lib/kite/agent/containerd\"\n"));
  EXPECT_TRUE(has(t, "state = \"/run/kite/node1\"\n"));
  EXPECT_TRUE(has(t, "[grpc]\n  address = \"/run/kite/node1/containerd.sock\"\n"));
  EXPECT_TRUE(has(t, "[ttrpc]\n  address = \"/run/kite/node1/containerd.sock.ttrpc\"\n"));
  EXPECT_TRUE(has(t, "[plugins.\"io.containerd.internal.v1.opt\"]\n  path = "));
  EXPECT_TRUE(has(t, "[plugins.\"io.containerd.grpc.v1.cri\"]\n"));
  EXPECT_TRUE(has(t, "  sandbox_image = \"kite.local/pause:3.10\"\n"));
  EXPECT_TRUE(has(t, "  restrict_oom_score_adj = true\n"));
  EXPECT_TRUE(has(t, "  disable_apparmor = true\n"));
  EXPECT_TRUE(has(t, "  enable_selinux = false\n"));
  EXPECT_TRUE(has(t, "  netns_mounts_under_state_dir = true\n"));
  EXPECT_TRUE(has(t, "  stream_server_address = \"10.0.0.7\"\n"));
  EXPECT_TRUE(has(t, "  stream_server_port = \"10010\"\n"));
  EXPECT_TRUE(has(t,
                  "[plugins.\"io.containerd.grpc.v1.cri\".cni]\n"
                  "  bin_dir = \"/usr/lib/cni\"\n"
                  "  conf_dir = \"/var/lib/kite/agent/etc/cni/net.d\"\n"));
  EXPECT_TRUE(has(t,
                  "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n"
                  "  SystemdCgroup = false\n"
                  "  Root = \"/run/kite/node1/runc\"\n"));
  EXPECT_FALSE(has(t, "registry"));
}

TEST(ContainerdConfig, OptionsOverrideDefaults) {
  ContainerdOptions o = sample_options();
  o.node_ip = "";
  o.stream_server_port = "0";
  o.sandbox_image = "example.com/pause:9";
  o.cni_conf_dir = "/etc/cni/x";
  o.cni_bin_dir = "/opt/cni/bin";
  std::string t = render_containerd_config(o, containerd_paths(o), {});
  EXPECT_TRUE(has(t, "stream_server_address = \"127.0.0.1\""));
  EXPECT_TRUE(has(t, "stream_server_port = \"0\""));
  EXPECT_TRUE(has(t, "sandbox_image = \"example.com/pause:9\""));
  EXPECT_TRUE(has(t, "conf_dir = \"/etc/cni/x\""));
  EXPECT_TRUE(has(t, "bin_dir = \"/opt/cni/bin\""));
}

TEST(ContainerdConfig, TomlStringsAreEscaped) {
  EXPECT_EQ(toml_string("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
  EXPECT_EQ(toml_string(std::string("\x01", 1)), "\"\\u0001\"");
}

constexpr const char* kRegistries = R"yaml(
mirrors:
  docker.io:
    endpoint:
      - "https://mirror.local:5000"
      - "http://127.0.0.1:5001"
    rewrite:
      "^library/(.*)": "mirrored/$1"
  "registry.k8s.io":
    endpoint: ["https://mirror.local:5000"]
configs:
  "mirror.local:5000":
    auth:
      username: alice
      password: "s3cr\"et"
      auth: YWxpY2U6czNjcmV0
      identity_token: tok
    tls:
      ca_file: /etc/kite/ca.pem
      cert_file: /etc/kite/client.pem
      key_file: /etc/kite/client-key.pem
      insecure_skip_verify: true
  "127.0.0.1:5001":
    tls:
      insecure_skip_verify: false
)yaml";

TEST(Registries, ParsesK3sFormat) {
  auto r = parse_registries_yaml(kRegistries, "/etc/kite/registries.yaml");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  ASSERT_EQ(r->mirrors.size(), 2u);
  const RegistryMirror& hub = r->mirrors.at("docker.io");
  ASSERT_EQ(hub.endpoints.size(), 2u);
  EXPECT_EQ(hub.endpoints[0], "https://mirror.local:5000");
  EXPECT_EQ(hub.rewrites.at("^library/(.*)"), "mirrored/$1");
  const RegistryConfig& c = r->configs.at("mirror.local:5000");
  ASSERT_TRUE(c.auth && c.tls);
  EXPECT_EQ(c.auth->username, "alice");
  EXPECT_EQ(c.auth->password, "s3cr\"et");
  EXPECT_EQ(c.auth->identity_token, "tok");
  EXPECT_EQ(c.tls->ca_file, "/etc/kite/ca.pem");
  EXPECT_TRUE(c.tls->insecure_skip_verify);
  EXPECT_FALSE(r->configs.at("127.0.0.1:5001").auth);
}

TEST(Registries, RenderedAsContainerd16CriRegistryConfig) {
  auto r = parse_registries_yaml(kRegistries, "registries.yaml");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  ContainerdOptions o = sample_options();
  std::string t = render_containerd_config(o, containerd_paths(o), *r);
  const std::string cri = "plugins.\"io.containerd.grpc.v1.cri\"";
  EXPECT_TRUE(
      has(t, "[" + cri +
                 ".registry.mirrors.\"docker.io\"]\n"
                 "  endpoint = [\"https://mirror.local:5000\", \"http://127.0.0.1:5001\"]\n"));
  EXPECT_TRUE(has(t, "[" + cri +
                         ".registry.mirrors.\"registry.k8s.io\"]\n"
                         "  endpoint = [\"https://mirror.local:5000\"]\n"));
  EXPECT_TRUE(has(t, "# rewrite (not supported by containerd 1.6): \"^library/(.*)\""));
  EXPECT_TRUE(has(t, "[" + cri +
                         ".registry.configs.\"mirror.local:5000\".auth]\n"
                         "  username = \"alice\"\n"
                         "  password = \"s3cr\\\"et\"\n"
                         "  auth = \"YWxpY2U6czNjcmV0\"\n"
                         "  identitytoken = \"tok\"\n"));
  EXPECT_TRUE(has(t, "[" + cri +
                         ".registry.configs.\"mirror.local:5000\".tls]\n"
                         "  ca_file = \"/etc/kite/ca.pem\"\n"
                         "  cert_file = \"/etc/kite/client.pem\"\n"
                         "  key_file = \"/etc/kite/client-key.pem\"\n"
                         "  insecure_skip_verify = true\n"));
  EXPECT_TRUE(has(t, "[" + cri +
                         ".registry.configs.\"127.0.0.1:5001\".tls]\n"
                         "  insecure_skip_verify = false\n"));
  EXPECT_FALSE(has(t, ".registry.configs.\"127.0.0.1:5001\".auth]"));
}

TEST(Registries, MalformedYamlNamesFileAndLine) {
  auto r = parse_registries_yaml("mirrors:\n  docker.io:\n    endpoint: [\"a\"\n",
                                 "/etc/kite/registries.yaml");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason(), base::Reason::Invalid);
  EXPECT_TRUE(has(r.error().message(), "/etc/kite/registries.yaml:")) << r.error().message();
  EXPECT_TRUE(has(r.error().message(), "invalid YAML")) << r.error().message();
}

TEST(Registries, WrongShapeNamesFileLineAndKey) {
  auto r = parse_registries_yaml("mirrors:\n  docker.io:\n    endpoints: [\"a\"]\n", "reg.yaml");
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(has(r.error().message(), "reg.yaml:3:")) << r.error().message();
  EXPECT_TRUE(has(r.error().message(), "unknown key \"endpoints\"")) << r.error().message();

  r = parse_registries_yaml("configs:\n  h:\n    tls:\n      insecure_skip_verify: maybe\n",
                            "reg.yaml");
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(has(r.error().message(), "reg.yaml:4:")) << r.error().message();

  r = parse_registries_yaml("- a\n- b\n", "reg.yaml");
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(has(r.error().message(), "reg.yaml:1:")) << r.error().message();
}

TEST(Registries, EmptyOrMissingFileMeansNone) {
  auto empty = parse_registries_yaml("", "reg.yaml");
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->mirrors.empty() && empty->configs.empty());
  auto missing = load_registries_file("/nonexistent/kite/registries.yaml");
  ASSERT_TRUE(missing.has_value());
  EXPECT_TRUE(missing->mirrors.empty());
}

TEST(Registries, LoadFileReportsPath) {
  char dir[] = "/tmp/kite-reg-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/registries.yaml";
  std::ofstream(path) << "mirrors: [\n";
  auto r = load_registries_file(path);
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(has(r.error().message(), path + ":")) << r.error().message();
}

}  // namespace
}  // namespace kite::agent
