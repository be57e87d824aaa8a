// server/bootstrap/kubeconfig.h: structure, mode, round trip, and real kubectl accepting it.
#include "server/bootstrap/kubeconfig.h"

#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>
#include <yaml-cpp/yaml.h>

#include "base/base64.h"
#include "base/pki.h"
#include "tests/server/bootstrap/test_dir.h"

namespace kite::bootstrap {
namespace {

using boot_test::TempDir;

struct Creds {
  base::KeyPair ca;
  base::KeyPair admin;
};

Creds make_creds() {
  auto ca = base::generate_ca("kube-ca");
  EXPECT_TRUE(ca.has_value());
  base::CertRequest req;
  req.common_name = "system:admin";
  req.organizations = {"system:masters"};
  req.client = true;
  auto admin = base::issue_certificate(*ca, req);
  EXPECT_TRUE(admin.has_value());
  return {*ca, *admin};
}

KubeconfigOptions options(const std::string& path, const Creds& c) {
  KubeconfigOptions o;
  o.path = path;
  o.server_url = "https://127.0.0.1:6443";
  o.ca_pem = c.ca.cert_pem;
  o.client_cert_pem = c.admin.cert_pem;
  o.client_key_pem = c.admin.key_pem;
  return o;
}

// Runs a shell command; returns its stdout, or nullopt if it exited non-zero.
std::optional<std::string> run(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return std::nullopt;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0) return std::nullopt;
  return out;
}

TEST(KubeconfigTest, FileModes) {
  EXPECT_EQ(*parse_file_mode("644"), 0644u);
  EXPECT_EQ(*parse_file_mode("0600"), 0600u);
  EXPECT_EQ(*parse_file_mode("0o640"), 0640u);
  for (const char* bad : {"", "9", "abc", "64x", "12345", "-644", "0o"}) {
    auto m = parse_file_mode(bad);
    ASSERT_FALSE(m.has_value()) << bad;
    EXPECT_EQ(m.error().reason(), base::Reason::BadRequest);
  }
}

TEST(KubeconfigTest, WritesExpectedStructure) {
  TempDir tmp;
  Creds c = make_creds();
  auto opts = options(tmp.path() + "/etc/kite.yaml", c);
  opts.mode = "644";
  ASSERT_TRUE(write_kubeconfig(opts).has_value());
  EXPECT_EQ(boot_test::file_mode(opts.path), 0644u);

  YAML::Node root = YAML::LoadFile(opts.path);
  EXPECT_EQ(root["apiVersion"].as<std::string>(), "v1");
  EXPECT_EQ(root["kind"].as<std::string>(), "Config");
  EXPECT_EQ(root["current-context"].as<std::string>(), "default");
  ASSERT_EQ(root["clusters"].size(), 1u);
  EXPECT_EQ(root["clusters"][0]["name"].as<std::string>(), "default");
  EXPECT_EQ(root["clusters"][0]["cluster"]["server"].as<std::string>(), "https://127.0.0.1:6443");
  EXPECT_EQ(root["clusters"][0]["cluster"]["certificate-authority-data"].as<std::string>(),
            base::base64_encode(c.ca.cert_pem));
  ASSERT_EQ(root["contexts"].size(), 1u);
  EXPECT_EQ(root["contexts"][0]["context"]["cluster"].as<std::string>(), "default");
  EXPECT_EQ(root["contexts"][0]["context"]["user"].as<std::string>(), "default");
  ASSERT_EQ(root["users"].size(), 1u);
  EXPECT_EQ(root["users"][0]["name"].as<std::string>(), "default");
  EXPECT_EQ(root["users"][0]["user"]["client-certificate-data"].as<std::string>(),
            base::base64_encode(c.admin.cert_pem));
  EXPECT_EQ(root["users"][0]["user"]["client-key-data"].as<std::string>(),
            base::base64_encode(c.admin.key_pem));

  auto back = read_kubeconfig(opts.path);
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_EQ(back->server_url, opts.server_url);
  EXPECT_EQ(back->ca_pem, c.ca.cert_pem);
  EXPECT_EQ(back->client_cert_pem, c.admin.cert_pem);
  EXPECT_EQ(back->client_key_pem, c.admin.key_pem);
}

TEST(KubeconfigTest, DefaultModeAndRewrite) {
  TempDir tmp;
  Creds c = make_creds();
  auto opts = options(tmp.path() + "/k.yaml", c);
  ASSERT_TRUE(write_kubeconfig(opts).has_value());
  EXPECT_EQ(boot_test::file_mode(opts.path), 0600u);
  opts.server_url = "https://10.0.0.1:6443";
  opts.mode = "0640";
  ASSERT_TRUE(write_kubeconfig(opts).has_value());
  EXPECT_EQ(boot_test::file_mode(opts.path), 0640u);
  EXPECT_EQ(read_kubeconfig(opts.path)->server_url, "https://10.0.0.1:6443");
}

TEST(KubeconfigTest, BadInputIsRejectedWithoutWriting) {
  TempDir tmp;
  Creds c = make_creds();
  auto opts = options(tmp.path() + "/k.yaml", c);
  opts.mode = "rw-r--r--";
  auto r = write_kubeconfig(opts);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason(), base::Reason::BadRequest);
  EXPECT_FALSE(base::file_exists(opts.path));
  opts.mode = "600";
  opts.server_url = "";
  EXPECT_FALSE(write_kubeconfig(opts).has_value());

  EXPECT_FALSE(parse_kubeconfig("just text").has_value());
  EXPECT_FALSE(parse_kubeconfig("current-context: x\ncontexts: []\n").has_value());
}

TEST(KubeconfigTest, KubectlAcceptsIt) {
  if (!base::file_exists("/usr/bin/kubectl")) GTEST_SKIP() << "kubectl not installed";
  TempDir tmp;
  Creds c = make_creds();
  auto opts = options(tmp.path() + "/kubeconfig.yaml", c);
  ASSERT_TRUE(write_kubeconfig(opts).has_value());
  std::string base_cmd = "/usr/bin/kubectl --kubeconfig " + opts.path + " config view --raw";
  auto all = run(base_cmd + " 2>&1");
  ASSERT_TRUE(all.has_value()) << "kubectl config view failed";
  EXPECT_NE(all->find("https://127.0.0.1:6443"), std::string::npos) << *all;

  auto server = run(base_cmd + " -o jsonpath='{.clusters[0].cluster.server}'");
  ASSERT_TRUE(server.has_value());
  EXPECT_EQ(*server, "https://127.0.0.1:6443");
  auto key = run(base_cmd + " -o jsonpath='{.users[0].user.client-key-data}'");
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(*key, base::base64_encode(c.admin.key_pem));
  auto ctx = run("/usr/bin/kubectl --kubeconfig " + opts.path + " config current-context");
  ASSERT_TRUE(ctx.has_value());
  EXPECT_EQ(*ctx, "default\n");
  // kubectl must also load the embedded credentials into a TLS client config: a request to a
  // closed port fails with a connection error, not a credentials error.
  auto probe =
      run("/usr/bin/kubectl --kubeconfig " + opts.path +
          " --server https://127.0.0.1:1 --request-timeout=2s get --raw /version 2>&1; true");
  ASSERT_TRUE(probe.has_value());
  EXPECT_EQ(probe->find("unable to load"), std::string::npos) << *probe;
  EXPECT_EQ(probe->find("tls: "), std::string::npos) << *probe;
  EXPECT_NE(probe->find("refused"), std::string::npos) << *probe;
}

}  // namespace
}  // namespace kite::bootstrap
