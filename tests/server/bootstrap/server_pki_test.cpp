// server/bootstrap/server_pki.h: generation, reuse, reissue on new SANs, client certs.
#include "server/bootstrap/server_pki.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "base/pki.h"
#include "tests/server/bootstrap/test_dir.h"

namespace kite::bootstrap {
namespace {

using boot_test::TempDir;

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

ServerPkiOptions options(const std::string& dir) {
  ServerPkiOptions o;
  o.tls_dir = dir + "/server/tls";
  o.hostname = "node-a";
  o.advertise_address = "192.168.5.10";
  return o;
}

TEST(ServerPkiTest, FirstCallGeneratesEverything) {
  TempDir tmp;
  auto opts = options(tmp.path());
  opts.extra_sans = {"kite.example.com", "203.0.113.7", "KITE.example.com"};
  auto pki = ensure_server_pki(opts);
  ASSERT_TRUE(pki.has_value()) << pki.error().message();

  for (const char* name : {"server-ca", "client-ca", "serving-kube-apiserver", "client-admin"}) {
    std::string stem = opts.tls_dir + "/" + name;
    EXPECT_EQ(boot_test::file_mode(stem + ".key"), 0600u) << name;
    EXPECT_EQ(boot_test::file_mode(stem + ".crt"), 0644u) << name;
  }
  EXPECT_EQ(boot_test::file_mode(opts.tls_dir), 0700u);
  EXPECT_EQ(pki->serving_cert_file, opts.tls_dir + "/serving-kube-apiserver.crt");
  EXPECT_EQ(pki->server_ca_file, opts.tls_dir + "/server-ca.crt");
  EXPECT_EQ(pki->client_ca_file, opts.tls_dir + "/client-ca.crt");
  EXPECT_EQ(*base::read_file(pki->server_ca_file), pki->server_ca.cert_pem);

  auto serving = base::read_file(pki->serving_cert_file);
  ASSERT_TRUE(serving.has_value());
  EXPECT_TRUE(base::verify_certificate(pki->server_ca.cert_pem, *serving).has_value());
  EXPECT_FALSE(base::verify_certificate(pki->client_ca.cert_pem, *serving).has_value());
  auto info = base::inspect_certificate(*serving);
  ASSERT_TRUE(info.has_value());
  for (const char* dns :
       {"node-a", "localhost", "kite.example.com", "kubernetes", "kubernetes.default",
        "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"}) {
    EXPECT_TRUE(contains(info->dns_sans, dns)) << dns;
  }
  for (const char* ip : {"127.0.0.1", "::1", "192.168.5.10", "203.0.113.7", "10.43.0.1"}) {
    EXPECT_TRUE(contains(info->ip_sans, ip)) << ip;
  }
  EXPECT_EQ(std::count(info->dns_sans.begin(), info->dns_sans.end(), "kite.example.com"), 1);

  auto admin = base::inspect_certificate(pki->admin.cert_pem);
  ASSERT_TRUE(admin.has_value());
  EXPECT_EQ(admin->common_name, "system:admin");
  EXPECT_EQ(admin->organizations, std::vector<std::string>{"system:masters"});
  EXPECT_TRUE(base::verify_certificate(pki->client_ca.cert_pem, pki->admin.cert_pem).has_value());
  EXPECT_TRUE(base::check_key_pair(pki->admin).has_value());
  EXPECT_NE(pki->server_ca.cert_pem, pki->client_ca.cert_pem);
}

TEST(ServerPkiTest, SecondCallReusesFiles) {
  TempDir tmp;
  auto opts = options(tmp.path());
  auto first = ensure_server_pki(opts);
  ASSERT_TRUE(first.has_value());
  auto serving_before = base::read_file(first->serving_cert_file);
  auto mtime = std::filesystem::last_write_time(first->serving_cert_file);

  auto second = ensure_server_pki(opts);
  ASSERT_TRUE(second.has_value()) << second.error().message();
  EXPECT_EQ(second->server_ca.cert_pem, first->server_ca.cert_pem);
  EXPECT_EQ(second->server_ca.key_pem, first->server_ca.key_pem);
  EXPECT_EQ(second->client_ca.cert_pem, first->client_ca.cert_pem);
  EXPECT_EQ(second->admin.cert_pem, first->admin.cert_pem);
  EXPECT_EQ(second->admin.key_pem, first->admin.key_pem);
  EXPECT_EQ(*base::read_file(second->serving_cert_file), *serving_before);
  EXPECT_EQ(std::filesystem::last_write_time(second->serving_cert_file), mtime);
}

TEST(ServerPkiTest, NewSanReissuesOnlyServingCert) {
  TempDir tmp;
  auto opts = options(tmp.path());
  auto first = ensure_server_pki(opts);
  ASSERT_TRUE(first.has_value());
  auto serving_before = *base::read_file(first->serving_cert_file);

  opts.extra_sans.push_back("new.example.com");
  opts.extra_sans.push_back("fd00::7");
  auto second = ensure_server_pki(opts);
  ASSERT_TRUE(second.has_value()) << second.error().message();
  auto serving_after = *base::read_file(second->serving_cert_file);
  EXPECT_NE(serving_after, serving_before);
  EXPECT_EQ(second->serving.cert_pem, serving_after);
  auto info = base::inspect_certificate(serving_after);
  ASSERT_TRUE(info.has_value());
  EXPECT_TRUE(contains(info->dns_sans, "new.example.com"));
  EXPECT_TRUE(contains(info->ip_sans, "fd00::7"));
  EXPECT_TRUE(base::verify_certificate(second->server_ca.cert_pem, serving_after).has_value());
  // CAs and the admin credential are untouched.
  EXPECT_EQ(second->server_ca.cert_pem, first->server_ca.cert_pem);
  EXPECT_EQ(second->client_ca.cert_pem, first->client_ca.cert_pem);
  EXPECT_EQ(second->admin.cert_pem, first->admin.cert_pem);

  // Dropping the SAN again does not reissue: the old SANs still cover what is wanted.
  opts.extra_sans.clear();
  auto third = ensure_server_pki(opts);
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(*base::read_file(third->serving_cert_file), serving_after);
}

TEST(ServerPkiTest, DamagedLeafIsReissuedDamagedCaIsAnError) {
  TempDir tmp;
  auto opts = options(tmp.path());
  auto first = ensure_server_pki(opts);
  ASSERT_TRUE(first.has_value());

  std::filesystem::remove(first->admin_key_file);
  auto second = ensure_server_pki(opts);
  ASSERT_TRUE(second.has_value()) << second.error().message();
  EXPECT_NE(second->admin.cert_pem, first->admin.cert_pem);
  EXPECT_TRUE(base::check_key_pair(second->admin).has_value());

  std::filesystem::remove(opts.tls_dir + "/server-ca.key");
  auto third = ensure_server_pki(opts);
  ASSERT_FALSE(third.has_value());
  EXPECT_NE(third.error().message().find("server-ca.key"), std::string::npos);
}

TEST(ServerPkiTest, IssuesClientCertsFromClientCa) {
  TempDir tmp;
  auto pki = ensure_server_pki(options(tmp.path()));
  ASSERT_TRUE(pki.has_value());
  auto node = issue_client_cert(*pki, "system:node:node-a", {"system:nodes"});
  ASSERT_TRUE(node.has_value()) << node.error().message();
  auto info = base::inspect_certificate(node->cert_pem);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->common_name, "system:node:node-a");
  EXPECT_EQ(info->organizations, std::vector<std::string>{"system:nodes"});
  EXPECT_TRUE(base::verify_certificate(pki->client_ca.cert_pem, node->cert_pem).has_value());
}

TEST(ServerPkiTest, WantedSansAreCanonicalAndSorted) {
  ServerPkiOptions o;
  o.hostname = "Node-A";
  o.extra_sans = {"0:0:0:0:0:0:0:1", "10.0.0.2", "b.example", "a.example"};
  o.service_ip = "10.96.0.1";
  o.cluster_domain = "corp.local";
  auto w = serving_sans(o);
  EXPECT_EQ(w.ips, (std::vector<std::string>{"10.0.0.2", "10.96.0.1", "127.0.0.1", "::1"}));
  EXPECT_TRUE(contains(w.dns, "node-a"));
  EXPECT_TRUE(contains(w.dns, "kubernetes.default.svc.corp.local"));
  EXPECT_TRUE(std::is_sorted(w.dns.begin(), w.dns.end()));

  TempDir tmp;
  ServerPkiOptions bad = options(tmp.path());
  bad.service_ip = "not-an-ip";
  EXPECT_FALSE(ensure_server_pki(bad).has_value());
  bad.tls_dir = "";
  EXPECT_FALSE(ensure_server_pki(bad).has_value());
}

}  // namespace
}  // namespace kite::bootstrap
