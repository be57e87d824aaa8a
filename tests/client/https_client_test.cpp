// RestClient over HTTPS against a real base::http::Server on 127.0.0.1: CA pinning, client
// certificate and bearer token authentication, kept-alive connections, watch streams, and
// kubeconfig reading.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <mutex>

#include "base/base64.h"
#include "base/http/response_stream.h"
#include "base/http/server.h"
#include "base/pki.h"
#include "client/rest_client.h"

namespace kite::client {
namespace {

using base::Reason;
using base::http::Request;
using base::http::Response;

struct Pki {
  base::KeyPair ca, serving, client, other_ca;
};

const Pki& pki() {
  static const Pki p = [] {
    Pki out;
    out.ca = *base::generate_ca("kite-test-ca");
    base::CertRequest serving;
    serving.common_name = "kite";
    serving.ip_sans = {"127.0.0.1"};  // and no DNS names: see CertificateMustNameTheHost
    serving.server = true;
    out.serving = *base::issue_certificate(out.ca, serving);
    base::CertRequest client;
    client.common_name = "alice";
    client.organizations = {"system:masters"};
    client.client = true;
    out.client = *base::issue_certificate(out.ca, client);
    out.other_ca = *base::generate_ca("some-other-ca");
    return out;
  }();
  return p;
}

class HttpsClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("kite-https-client-" + *base::random_hex(6));
    std::filesystem::create_directories(dir_);
    ASSERT_TRUE(base::write_file_atomic((dir_ / "ca.crt").string(), pki().ca.cert_pem, 0600));
    ASSERT_TRUE(base::write_file_atomic((dir_ / "serving.crt").string(), pki().serving.cert_pem, 0600));
    ASSERT_TRUE(base::write_file_atomic((dir_ / "serving.key").string(), pki().serving.key_pem, 0600));
    base::http::ServerOptions opts;
    opts.bind_address = "127.0.0.1";
    opts.port = 0;
    opts.cert_file = (dir_ / "serving.crt").string();
    opts.key_file = (dir_ / "serving.key").string();
    opts.client_ca_file = (dir_ / "ca.crt").string();
    opts.io_threads = 1;
    opts.worker_threads = 4;
    server_ = std::make_unique<base::http::Server>(opts, [this](Request& req) { return handle(req); });
    auto started = server_->start();
    ASSERT_TRUE(started.has_value()) << started.error().message();
  }

  void TearDown() override {
    server_->stop();
    std::filesystem::remove_all(dir_);
  }

  Response handle(Request& req) {
    {
      std::lock_guard lock(mu_);
      requests_.push_back(req);
    }
    Response r;
    r.set_header("Content-Type", "application/json");
    if (req.has_query("watch")) {
      r.stream = watch_stream_;
      return r;
    }
    if (req.path == "/api/v1/namespaces/ns/pods/missing") {
      r.status = 404;
      r.body = base::Status(Reason::NotFound, "pods \"missing\" not found").to_json().dump();
      return r;
    }
    json who = {{"kind", "Echo"},
                {"user", req.peer ? req.peer->common_name : ""},
                {"groups", req.peer ? req.peer->organizations : std::vector<std::string>{}},
                {"authorization", req.header("authorization")},
                {"method", req.method},
                {"path", req.path},
                {"body", req.body}};
    r.body = who.dump();
    return r;
  }

  HttpsCredentials creds() const {
    HttpsCredentials c;
    c.server = "https://127.0.0.1:" + std::to_string(server_->port());
    c.ca_pem = pki().ca.cert_pem;
    c.cert_pem = pki().client.cert_pem;
    c.key_pem = pki().client.key_pem;
    return c;
  }

  std::vector<Request> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

  std::filesystem::path dir_;
  std::unique_ptr<base::http::Server> server_;
  std::shared_ptr<base::http::ResponseStream> watch_stream_ = std::make_shared<base::http::ResponseStream>();
  std::mutex mu_;
  std::vector<Request> requests_;
};

TEST_F(HttpsClientTest, ClientCertificateIsTheIdentity) {
  auto client = make_https_client(creds());
  auto echo = client->get(resources::kPods, "ns", "p");
  ASSERT_TRUE(echo.has_value()) << echo.error().message();
  EXPECT_EQ((*echo)["user"], "alice");
  EXPECT_EQ((*echo)["groups"], json::array({"system:masters"}));
  EXPECT_EQ((*echo)["path"], "/api/v1/namespaces/ns/pods/p");

  auto created = client->create(resources::kConfigMaps, "ns", json{{"metadata", {{"name", "c"}}}});
  ASSERT_TRUE(created.has_value()) << created.error().message();
  EXPECT_EQ((*created)["method"], "POST");
  EXPECT_EQ(json::parse((*created)["body"].get<std::string>())["metadata"]["name"], "c");
  EXPECT_EQ(requests().back().header("content-type"), "application/json");
}

TEST_F(HttpsClientTest, BearerTokenWithoutClientCertificate) {
  auto c = creds();
  c.cert_pem.clear();
  c.key_pem.clear();
  c.bearer_token = "s3cret";
  auto client = make_https_client(c);
  auto echo = client->get(resources::kNodes, "", "n1");
  ASSERT_TRUE(echo.has_value()) << echo.error().message();
  EXPECT_EQ((*echo)["user"], "");
  EXPECT_EQ((*echo)["authorization"], "Bearer s3cret");
}

TEST_F(HttpsClientTest, ServerNotSignedByThePinnedCaIsRefused) {
  auto c = creds();
  c.ca_pem = pki().other_ca.cert_pem;
  auto client = make_https_client(c);
  auto start = std::chrono::steady_clock::now();
  auto got = client->get(resources::kPods, "ns", "p");
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().reason(), Reason::ServiceUnavailable);
  EXPECT_NE(got.error().message().find("does not verify"), std::string::npos) << got.error().message();
  EXPECT_TRUE(requests().empty());
  // Not retried with backoff: a wrong CA does not heal.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  // A watch is refused the same way.
  EXPECT_FALSE(client->watch(resources::kPods, "ns", {}).has_value());
}

TEST_F(HttpsClientTest, CertificateMustNameTheHost) {
  // The serving certificate names only 127.0.0.1; "localhost" reaches the same server but
  // is not a name the certificate vouches for.
  auto c = creds();
  c.server = "https://localhost:" + std::to_string(server_->port());
  auto got = make_https_client(c)->get(resources::kPods, "ns", "p");
  ASSERT_FALSE(got.has_value());
  EXPECT_NE(got.error().message().find("does not verify"), std::string::npos) << got.error().message();
  EXPECT_TRUE(requests().empty());
}

TEST_F(HttpsClientTest, KeepsConnectionsAlive) {
  auto client = make_https_client(creds());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client->get(resources::kPods, "ns", "p" + std::to_string(i)));
  auto reqs = requests();
  ASSERT_EQ(reqs.size(), 5u);
  for (const auto& r : reqs) EXPECT_EQ(r.remote_address, reqs[0].remote_address);  // one connection
}

TEST_F(HttpsClientTest, ErrorStatusIsDecoded) {
  auto got = make_https_client(creds())->get(resources::kPods, "ns", "missing");
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().reason(), Reason::NotFound);
  EXPECT_EQ(got.error().message(), "pods \"missing\" not found");
}

TEST_F(HttpsClientTest, WatchStreamsEventsAndStopUnblocksNext) {
  auto client = make_https_client(creds());
  auto w = client->watch(resources::kPods, "ns", {});
  ASSERT_TRUE(w.has_value()) << w.error().message();
  watch_stream_->push("{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\"}}}\n");
  watch_stream_->push("{\"type\":\"MODIFIED\",\"object\":");
  watch_stream_->push("{\"metadata\":{\"name\":\"a\"}}}\n");
  auto ev = (*w)->next();
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(ev->type, WatchEvent::Type::kAdded);
  ev = (*w)->next();
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(ev->type, WatchEvent::Type::kModified);
  EXPECT_EQ(ev->object["metadata"]["name"], "a");

  auto reader = std::async(std::launch::async, [&] { return (*w)->next(); });
  EXPECT_EQ(reader.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  (*w)->stop();
  ASSERT_EQ(reader.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_FALSE(reader.get().has_value());
}

TEST_F(HttpsClientTest, WatchEndsWhenTheServerClosesTheStream) {
  auto client = make_https_client(creds());
  auto w = client->watch(resources::kPods, "ns", {});
  ASSERT_TRUE(w.has_value()) << w.error().message();
  watch_stream_->push("{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\"}}}\n");
  watch_stream_->close();
  ASSERT_TRUE((*w)->next().has_value());
  EXPECT_FALSE((*w)->next().has_value());
}

TEST_F(HttpsClientTest, KubeconfigWithEmbeddedData) {
  std::string kubeconfig = R"(apiVersion: v1
kind: Config
clusters:
- name: other
  cluster:
    server: https://10.0.0.1:6443
- name: kite
  cluster:
    server: https://127.0.0.1:)" + std::to_string(server_->port()) +
                           R"(
    certificate-authority-data: )" + base::base64_encode(pki().ca.cert_pem) +
                           R"(
contexts:
- name: default
  context:
    cluster: kite
    user: admin
current-context: default
users:
- name: admin
  user:
    client-certificate-data: )" + base::base64_encode(pki().client.cert_pem) +
                           R"(
    client-key-data: )" + base::base64_encode(pki().client.key_pem) + "\n";
  auto path = (dir_ / "kubeconfig.yaml").string();
  ASSERT_TRUE(base::write_file_atomic(path, kubeconfig, 0600));
  auto c = credentials_from_kubeconfig(path);
  ASSERT_TRUE(c.has_value()) << c.error().message();
  EXPECT_EQ(c->ca_pem, pki().ca.cert_pem);
  auto echo = make_https_client(*c)->get(resources::kPods, "ns", "p");
  ASSERT_TRUE(echo.has_value()) << echo.error().message();
  EXPECT_EQ((*echo)["user"], "alice");
}

TEST_F(HttpsClientTest, KubeconfigWithFilePathsAndToken) {
  ASSERT_TRUE(base::write_file_atomic((dir_ / "token").string(), "tok-123\n", 0600));
  std::string kubeconfig = "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
                           "clusters:\n- name: k\n  cluster:\n    server: https://127.0.0.1:" +
                           std::to_string(server_->port()) +
                           "\n    certificate-authority: ca.crt\n"
                           "contexts:\n- name: c\n  context:\n    cluster: k\n    user: u\n"
                           "users:\n- name: u\n  user:\n    tokenFile: token\n";
  auto path = (dir_ / "kubeconfig.yaml").string();
  ASSERT_TRUE(base::write_file_atomic(path, kubeconfig, 0600));
  auto c = credentials_from_kubeconfig(path);
  ASSERT_TRUE(c.has_value()) << c.error().message();
  EXPECT_EQ(c->bearer_token, "tok-123");
  EXPECT_TRUE(c->cert_pem.empty());
  auto echo = make_https_client(*c)->get(resources::kPods, "ns", "p");
  ASSERT_TRUE(echo.has_value()) << echo.error().message();
  EXPECT_EQ((*echo)["authorization"], "Bearer tok-123");
}

TEST(KubeconfigTest, MissingContextIsAnError) {
  auto path = (std::filesystem::temp_directory_path() / ("kite-kc-" + *base::random_hex(6))).string();
  ASSERT_TRUE(base::write_file_atomic(path, "apiVersion: v1\ncurrent-context: nope\ncontexts: []\n", 0600));
  auto c = credentials_from_kubeconfig(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(c.has_value());
  EXPECT_NE(c.error().message().find("nope"), std::string::npos);
  EXPECT_FALSE(credentials_from_kubeconfig("/nonexistent/kubeconfig").has_value());
}

}  // namespace
}  // namespace kite::client
