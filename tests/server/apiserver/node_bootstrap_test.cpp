// server/apiserver/node_bootstrap.h: /cacerts, token auth, node password first-join and
// mismatch, certificate replies. The Secret store is a map behind a fake system route.
#include "server/apiserver/node_bootstrap.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <mutex>

#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "base/pki.h"

namespace kite::apiserver {
namespace {

using base::http::Request;
using base::http::Response;
using json = nlohmann::json;

class NodeBootstrapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kite-nb-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    bootstrap::ServerPkiOptions o;
    o.tls_dir = dir_ + "/tls";
    o.hostname = "server-a";
    auto pki = bootstrap::ensure_server_pki(o);
    ASSERT_TRUE(pki.has_value());
    NodeBootstrapOptions nb;
    nb.pki = *pki;
    nb.server_token = {"", "server", "serverpw"};
    nb.agent_password = "agentpw";
    endpoints_ = std::make_unique<NodeBootstrapEndpoints>(nb, [this](Request& r) { return route(r); });
    ca_ = pki->server_ca.cert_pem;
    client_ca_ = pki->client_ca.cert_pem;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The Secret API as far as the endpoints use it.
  Response route(Request& r) {
    std::lock_guard lock(mu_);
    Response res;
    if (r.method == "GET") {
      auto it = secrets_.find(r.path);
      res.status = it == secrets_.end() ? 404 : 200;
      if (it != secrets_.end()) res.body = it->second.dump();
    } else if (r.method == "POST") {
      json s = json::parse(r.body);
      std::string path = r.path + "/" + s["metadata"]["name"].get<std::string>();
      res.status = secrets_.count(path) ? 409 : 201;
      if (res.status == 201) secrets_[path] = s;
    }
    return res;
  }

  Response call(const std::string& path, const std::string& user, const std::string& pw, const std::string& node,
                const std::string& node_pw) {
    Request r;
    r.method = "GET";
    r.path = path;
    if (!user.empty()) r.headers["authorization"] = "Basic " + base::base64_encode(user + ":" + pw);
    if (!node.empty()) r.headers["kite-node-name"] = node;
    if (!node_pw.empty()) r.headers["kite-node-password"] = node_pw;
    r.headers["kite-node-ip"] = "10.1.2.3";
    return endpoints_->handle(r);
  }

  std::string dir_, ca_, client_ca_;
  std::mutex mu_;
  std::map<std::string, json> secrets_;
  std::unique_ptr<NodeBootstrapEndpoints> endpoints_;
};

TEST_F(NodeBootstrapTest, CacertsIsOpenAndExact) {
  EXPECT_TRUE(NodeBootstrapEndpoints::handles("/cacerts"));
  EXPECT_TRUE(NodeBootstrapEndpoints::handles("/v1-kite/client-kubelet.crt"));
  EXPECT_FALSE(NodeBootstrapEndpoints::handles("/api/v1/nodes"));
  auto r = call("/cacerts", "", "", "", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, ca_);
}

TEST_F(NodeBootstrapTest, TokenRequired) {
  EXPECT_EQ(call("/v1-kite/client-ca.crt", "", "", "", "").status, 401);
  EXPECT_EQ(call("/v1-kite/client-ca.crt", "node", "wrong", "", "").status, 401);
  EXPECT_EQ(call("/v1-kite/client-ca.crt", "server", "agentpw", "", "").status, 401);
  EXPECT_EQ(call("/v1-kite/client-ca.crt", "node", "agentpw", "", "").body, client_ca_);
  EXPECT_EQ(call("/v1-kite/client-ca.crt", "node", "serverpw", "", "").status, 200);
  EXPECT_EQ(call("/v1-kite/client-ca.crt", "server", "serverpw", "", "").status, 200);
}

TEST_F(NodeBootstrapTest, NodePasswordFirstJoinThenMustMatch) {
  auto first = call("/v1-kite/client-kubelet.crt", "node", "agentpw", "n1", "pw-a");
  ASSERT_EQ(first.status, 200) << first.body;
  auto key_at = first.body.find("-----BEGIN PRIVATE KEY-----");
  ASSERT_NE(key_at, std::string::npos);
  base::KeyPair pair{first.body.substr(0, key_at), first.body.substr(key_at)};
  EXPECT_TRUE(base::check_key_pair(pair).has_value());
  auto info = base::inspect_certificate(pair.cert_pem);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->common_name, "system:node:n1");
  ASSERT_EQ(secrets_.size(), 1u);
  const json& secret = secrets_.begin()->second;
  EXPECT_EQ(secrets_.begin()->first, "/api/v1/namespaces/kube-system/secrets/n1.node-password.kite");
  EXPECT_EQ(base::base64_decode(secret["data"]["hash"].get<std::string>())->find("pw-a"), std::string::npos);

  // Same machine again: fine. Another password for n1: 403 with a clear message.
  EXPECT_EQ(call("/v1-kite/serving-kubelet.crt", "node", "agentpw", "n1", "pw-a").status, 200);
  auto other = call("/v1-kite/client-kubelet.crt", "node", "agentpw", "n1", "pw-b");
  EXPECT_EQ(other.status, 403);
  EXPECT_NE(other.body.find("Node password rejected"), std::string::npos) << other.body;
  EXPECT_NE(other.body.find("--with-node-id"), std::string::npos) << other.body;
  // Another node name is independent.
  EXPECT_EQ(call("/v1-kite/client-kubelet.crt", "node", "agentpw", "n2", "pw-b").status, 200);
}

TEST_F(NodeBootstrapTest, ServingCertCarriesNodeIp) {
  auto r = call("/v1-kite/serving-kubelet.crt", "node", "agentpw", "n1", "pw-a");
  ASSERT_EQ(r.status, 200) << r.body;
  auto info = base::inspect_certificate(r.body.substr(0, r.body.find("-----BEGIN PRIVATE KEY-----")));
  ASSERT_TRUE(info.has_value());
  EXPECT_NE(std::find(info->ip_sans.begin(), info->ip_sans.end(), "10.1.2.3"), info->ip_sans.end());
  EXPECT_TRUE(base::verify_certificate(ca_, r.body.substr(0, r.body.find("-----BEGIN PRIVATE KEY-----"))).has_value());
}

TEST_F(NodeBootstrapTest, BadRequests) {
  EXPECT_EQ(call("/v1-kite/client-kubelet.crt", "node", "agentpw", "", "pw").status, 400);
  EXPECT_EQ(call("/v1-kite/client-kubelet.crt", "node", "agentpw", "Bad_Name", "pw").status, 400);
  EXPECT_EQ(call("/v1-kite/client-kubelet.crt", "node", "agentpw", "n1", "").status, 400);
  EXPECT_EQ(call("/v1-kite/nothing", "node", "agentpw", "n1", "pw").status, 404);
}

}  // namespace
}  // namespace kite::apiserver
