// server/bootstrap/node_identity.h: node password hashing and node certificates; the API
// server's client certificate in ServerPki.
#include "server/bootstrap/node_identity.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "base/pki.h"
#include "tests/server/bootstrap/test_dir.h"

namespace kite::bootstrap {
namespace {

using boot_test::TempDir;

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

ServerPki make_pki(const std::string& dir) {
  ServerPkiOptions o;
  o.tls_dir = dir + "/tls";
  o.hostname = "server-a";
  auto pki = ensure_server_pki(o);
  EXPECT_TRUE(pki.has_value());
  return *pki;
}

TEST(NodePasswordTest, HashChecksTheSamePasswordOnly) {
  auto h = hash_node_password("secret-1");
  ASSERT_TRUE(h.has_value());
  EXPECT_TRUE(h->starts_with("sha256$"));
  EXPECT_EQ(h->find("secret-1"), std::string::npos);
  EXPECT_TRUE(check_node_password(*h, "secret-1"));
  EXPECT_FALSE(check_node_password(*h, "secret-2"));
  EXPECT_FALSE(check_node_password(*h, ""));
  EXPECT_FALSE(check_node_password("", "secret-1"));
  EXPECT_FALSE(check_node_password("sha256$nodollar", "secret-1"));
  // Salted: two hashes of one password differ, both check.
  auto h2 = hash_node_password("secret-1");
  ASSERT_TRUE(h2.has_value());
  EXPECT_NE(*h, *h2);
  EXPECT_TRUE(check_node_password(*h2, "secret-1"));
}

TEST(NodePasswordTest, SecretName) { EXPECT_EQ(node_password_secret_name("n1"), "n1.node-password.kite"); }

TEST(NodeNameTest, Validation) {
  EXPECT_TRUE(validate_node_name("node-1.example").has_value());
  EXPECT_FALSE(validate_node_name("").has_value());
  EXPECT_FALSE(validate_node_name("Node").has_value());
  EXPECT_FALSE(validate_node_name("-a").has_value());
  EXPECT_FALSE(validate_node_name("a_b").has_value());
  EXPECT_FALSE(validate_node_name(std::string(254, 'a')).has_value());
}

TEST(NodeCertTest, ClientCertIsANodeIdentityFromTheClientCa) {
  TempDir tmp;
  auto pki = make_pki(tmp.path());
  auto pair = issue_node_client_cert(pki, "worker-1");
  ASSERT_TRUE(pair.has_value()) << pair.error().message();
  auto info = base::inspect_certificate(pair->cert_pem);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->common_name, "system:node:worker-1");
  EXPECT_EQ(info->organizations, std::vector<std::string>{"system:nodes"});
  EXPECT_TRUE(base::verify_certificate(pki.client_ca.cert_pem, pair->cert_pem).has_value());
  EXPECT_FALSE(base::verify_certificate(pki.server_ca.cert_pem, pair->cert_pem).has_value());
  EXPECT_FALSE(issue_node_client_cert(pki, "Bad_Name").has_value());
}

TEST(NodeCertTest, ServingCertNamesTheNode) {
  TempDir tmp;
  auto pki = make_pki(tmp.path());
  auto pair = issue_node_serving_cert(pki, "worker-1", "host-1", {"10.0.0.5", "::0001"});
  ASSERT_TRUE(pair.has_value()) << pair.error().message();
  auto info = base::inspect_certificate(pair->cert_pem);
  ASSERT_TRUE(info.has_value());
  EXPECT_TRUE(contains(info->dns_sans, "worker-1"));
  EXPECT_TRUE(contains(info->dns_sans, "host-1"));
  EXPECT_TRUE(contains(info->ip_sans, "10.0.0.5"));
  EXPECT_TRUE(contains(info->ip_sans, "::1"));
  EXPECT_TRUE(contains(info->ip_sans, "127.0.0.1"));
  EXPECT_TRUE(base::verify_certificate(pki.server_ca.cert_pem, pair->cert_pem).has_value());
  EXPECT_FALSE(issue_node_serving_cert(pki, "worker-1", "", {"not-an-ip"}).has_value());
}

TEST(NodeCertTest, ApiServerClientCertIsStableAndPrivileged) {
  TempDir tmp;
  auto pki = make_pki(tmp.path());
  EXPECT_EQ(pki.apiserver_client_cert_file, tmp.path() + "/tls/client-kube-apiserver.crt");
  EXPECT_EQ(pki.apiserver_client_key_file, tmp.path() + "/tls/client-kube-apiserver.key");
  auto info = base::inspect_certificate(pki.apiserver_client.cert_pem);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->common_name, "kube-apiserver");
  EXPECT_EQ(info->organizations, std::vector<std::string>{"system:masters"});
  EXPECT_TRUE(base::verify_certificate(pki.client_ca.cert_pem, pki.apiserver_client.cert_pem).has_value());
  EXPECT_EQ(boot_test::file_mode(pki.apiserver_client_key_file) & 0777, 0600u);
  auto again = make_pki(tmp.path());
  EXPECT_EQ(again.apiserver_client.cert_pem, pki.apiserver_client.cert_pem);
}

}  // namespace
}  // namespace kite::bootstrap
