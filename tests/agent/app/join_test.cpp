// agent/join: CA pinning before credentials, the node password file, storing and reusing
// the node certificates. The server is a fake Fetcher. (These tests live with agent_app,
// whose library links agent_join.)
#include "agent/join/join.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "agent/join/node_password.h"
#include "base/base64.h"
#include "base/pki.h"
#include "server/bootstrap/kubeconfig.h"

namespace kite::agent {
namespace {

class FakeServer {
 public:
  FakeServer() {
    server_ca = *base::generate_ca("test-server-ca");
    client_ca = *base::generate_ca("test-client-ca");
  }
  base::Result<FetchReply> operator()(const FetchRequest& r) {
    requests.push_back(r);
    if (unreachable) return base::error(base::Reason::ServiceUnavailable, "connection refused");
    std::string path = r.url.substr(r.url.find('/', 8));
    if (path == "/cacerts") return FetchReply{200, server_ca.cert_pem};
    auto header = [&](const std::string& name) {
      for (auto& [k, v] : r.headers) {
        if (k == name) return v;
      }
      return std::string();
    };
    if (header("Authorization") != "Basic " + base::base64_encode(want_user + ":secret")) {
      return FetchReply{401, "Unauthorized: invalid join token\n"};
    }
    if (path == "/v1-kite/client-ca.crt") return FetchReply{200, client_ca.cert_pem};
    if (!password.empty() && header("Kite-Node-Password") != password) return FetchReply{403, "Node password rejected\n"};
    password = header("Kite-Node-Password");
    base::CertRequest req;
    if (path == "/v1-kite/client-kubelet.crt") {
      req.common_name = "system:node:" + header("Kite-Node-Name");
      req.organizations = {"system:nodes"};
      req.client = true;
      auto pair = base::issue_certificate(client_ca, req);
      return FetchReply{200, pair->cert_pem + pair->key_pem};
    }
    if (path == "/v1-kite/serving-kubelet.crt") {
      req.common_name = header("Kite-Node-Name");
      req.dns_sans = {header("Kite-Node-Name")};
      req.ip_sans = {header("Kite-Node-IP")};
      req.server = true;
      auto pair = base::issue_certificate(server_ca, req);
      return FetchReply{200, pair->cert_pem + pair->key_pem};
    }
    return FetchReply{404, "not found"};
  }
  int credential_requests() const {
    int n = 0;
    for (const auto& r : requests) n += !r.headers.empty();
    return n;
  }

  base::KeyPair server_ca, client_ca;
  std::vector<FetchRequest> requests;
  std::string password;
  std::string want_user = "node";
  bool unreachable = false;
};

class JoinTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kite-join-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  JoinOptions options(const std::string& token, const std::string& sub = "agent") {
    JoinOptions o;
    o.server_url = "https://127.0.0.1:6443/";
    o.token = token;
    o.agent_dir = dir_ + "/" + sub;
    o.node_name = "n1";
    o.node_ips = {"10.0.0.7"};
    o.hostname = "host-1";
    o.fetch = [this](const FetchRequest& r) { return server_(r); };
    return o;
  }
  std::string full_token(const std::string& user = "server") {
    return "K10" + *base::sha256_hex(server_.server_ca.cert_pem) + "::" + user + ":secret";
  }
  unsigned mode(const std::string& p) {
    return static_cast<unsigned>(std::filesystem::status(p).permissions()) & 0777;
  }

  std::string dir_;
  FakeServer server_;
};

TEST_F(JoinTest, JoinsStoresAndReuses) {
  server_.want_user = "server";
  auto c = join_cluster(options(full_token()));
  ASSERT_TRUE(c.has_value()) << c.error().message();
  EXPECT_FALSE(c->reused);
  EXPECT_EQ(c->server_url, "https://127.0.0.1:6443");
  EXPECT_EQ(c->server_ca_pem, server_.server_ca.cert_pem);
  EXPECT_EQ(base::inspect_certificate(c->client.cert_pem)->common_name, "system:node:n1");
  // The first request carries no credentials and is not TLS-verified; the others are.
  ASSERT_GE(server_.requests.size(), 4u);
  EXPECT_TRUE(server_.requests[0].headers.empty());
  EXPECT_TRUE(server_.requests[0].ca_file.empty());
  EXPECT_EQ(server_.requests[1].ca_file, dir_ + "/agent/server-ca.crt");
  const std::string a = dir_ + "/agent/";
  for (const char* f : {"server-ca.crt", "client-ca.crt", "client-kubelet.crt", "serving-kubelet.crt"}) {
    EXPECT_TRUE(std::filesystem::exists(a + f)) << f;
  }
  EXPECT_EQ(mode(a + "client-kubelet.key"), 0600u);
  EXPECT_EQ(mode(a + "serving-kubelet.key"), 0600u);
  EXPECT_EQ(mode(a + "node-password"), 0600u);
  EXPECT_EQ(mode(a + "kubelet.kubeconfig"), 0600u);
  auto kc = bootstrap::read_kubeconfig(a + "kubelet.kubeconfig");
  ASSERT_TRUE(kc.has_value());
  EXPECT_EQ(kc->server_url, "https://127.0.0.1:6443");
  EXPECT_EQ(kc->client_cert_pem, c->client.cert_pem);

  // Restart: the stored certificates are reused without certificate requests.
  int before = server_.credential_requests();
  auto again = join_cluster(options(full_token()));
  ASSERT_TRUE(again.has_value()) << again.error().message();
  EXPECT_TRUE(again->reused);
  EXPECT_EQ(again->client.cert_pem, c->client.cert_pem);
  EXPECT_EQ(server_.credential_requests(), before);

  // A new node IP needs a new serving certificate.
  auto o = options(full_token());
  o.node_ips = {"10.0.0.8"};
  auto moved = join_cluster(o);
  ASSERT_TRUE(moved.has_value()) << moved.error().message();
  EXPECT_FALSE(moved->reused);
}

TEST_F(JoinTest, WrongCaHashSendsNoCredentials) {
  std::string token = "K10" + std::string(64, 'a') + "::server:secret";
  auto c = join_cluster(options(token));
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().reason(), base::Reason::Unauthorized);
  EXPECT_NE(c.error().message().find("CA"), std::string::npos) << c.error().message();
  EXPECT_EQ(server_.requests.size(), 1u);
  EXPECT_EQ(server_.credential_requests(), 0);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/agent/server-ca.crt"));
}

TEST_F(JoinTest, BareTokenUsesNodeUser) {
  auto c = join_cluster(options("secret"));
  ASSERT_TRUE(c.has_value()) << c.error().message();
}

TEST_F(JoinTest, ErrorsAreClear) {
  auto bad_token = join_cluster(options("wrong"));
  ASSERT_FALSE(bad_token.has_value());
  EXPECT_EQ(bad_token.error().reason(), base::Reason::Unauthorized);
  EXPECT_NE(bad_token.error().message().find("rejected the join token"), std::string::npos);

  EXPECT_EQ(join_cluster(options("K10zz::a")).error().reason(), base::Reason::BadRequest);
  auto o = options("secret");
  o.server_url = "http://x";
  EXPECT_EQ(join_cluster(o).error().reason(), base::Reason::BadRequest);

  server_.unreachable = true;
  auto down = join_cluster(options("secret"));
  EXPECT_EQ(down.error().reason(), base::Reason::ServiceUnavailable);
  EXPECT_NE(down.error().message().find("cannot reach the server"), std::string::npos);
}

TEST_F(JoinTest, AnotherMachineWithTheSameNameIsRefused) {
  ASSERT_TRUE(join_cluster(options("secret", "machine-a")).has_value());
  auto b = join_cluster(options("secret", "machine-b"));
  ASSERT_FALSE(b.has_value());
  EXPECT_EQ(b.error().reason(), base::Reason::Forbidden);
  EXPECT_NE(b.error().message().find("machine-b/node-password"), std::string::npos) << b.error().message();
}

TEST_F(JoinTest, NodePasswordFileIsStable) {
  const std::string p = dir_ + "/x/node-password";
  auto a = ensure_node_password(p);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_EQ(*ensure_node_password(p), *a);
  EXPECT_EQ(mode(p), 0600u);
  base::write_file_atomic(p, "\n", 0600);
  EXPECT_FALSE(ensure_node_password(p).has_value());
}

}  // namespace
}  // namespace kite::agent
