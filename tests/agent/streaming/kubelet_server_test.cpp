// KubeletServer over real TLS on 127.0.0.1 with a stub Runtime and a temp CRI log file:
// authentication (401/403), logs (plain, tail, timestamps, follow until exit), unknown
// container (404), and exec/port-forward relayed to an in-test stream server that answers 101
// and echoes bytes.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "agent/streaming/kubelet_server.h"
#include "base/http/raw_stream.h"
#include "base/http/upgrade_client.h"
#include "base/pki.h"

namespace kite::agent::streaming {
namespace {

namespace http = base::http;

// Only what the kubelet server uses; everything else fails.
class StubRuntime final : public Runtime {
 public:
  std::mutex mu;
  std::vector<SandboxStatus> sandboxes;
  std::vector<ContainerStatus> containers;
  std::string stream_url;
  StreamRequest last_exec;
  std::vector<int32_t> last_ports;

  void set_state(const std::string& id, ContainerState state) {
    std::lock_guard lock(mu);
    for (auto& c : containers)
      if (c.id == id) c.state = state;
  }

  static bool matches(const Labels& labels, const Labels& selector) {
    for (auto& [k, v] : selector) {
      auto it = labels.find(k);
      if (it == labels.end() || it->second != v) return false;
    }
    return true;
  }
  static base::Status unsupported() { return base::Status(base::Reason::InternalError, "stub: unsupported"); }

  Result<RuntimeVersion> version() override { return RuntimeVersion{"stub", "0", "v1"}; }
  Result<std::string> run_pod_sandbox(const SandboxConfig&) override { return std::unexpected(unsupported()); }
  Result<void> stop_pod_sandbox(const std::string&) override { return std::unexpected(unsupported()); }
  Result<void> remove_pod_sandbox(const std::string&) override { return std::unexpected(unsupported()); }
  Result<SandboxStatus> pod_sandbox_status(const std::string&) override { return std::unexpected(unsupported()); }
  Result<std::vector<SandboxStatus>> list_pod_sandboxes(const SandboxFilter& f) override {
    std::lock_guard lock(mu);
    std::vector<SandboxStatus> out;
    for (auto& s : sandboxes)
      if (matches(s.labels, f.label_selector)) out.push_back(s);
    return out;
  }
  Result<std::string> create_container(const std::string&, const ContainerConfig&, const SandboxConfig&) override {
    return std::unexpected(unsupported());
  }
  Result<void> start_container(const std::string&) override { return std::unexpected(unsupported()); }
  Result<void> stop_container(const std::string&, std::chrono::seconds) override { return std::unexpected(unsupported()); }
  Result<void> remove_container(const std::string&) override { return std::unexpected(unsupported()); }
  Result<ContainerStatus> container_status(const std::string& id) override {
    std::lock_guard lock(mu);
    for (auto& c : containers)
      if (c.id == id) return c;
    return base::error(base::Reason::NotFound, "no container " + id);
  }
  Result<std::vector<ContainerStatus>> list_containers(const ContainerFilter& f) override {
    std::lock_guard lock(mu);
    std::vector<ContainerStatus> out;
    for (auto c : containers)
      if (matches(c.labels, f.label_selector)) {
        c.log_path.clear();  // as CRI ListContainers: no log path
        out.push_back(c);
      }
    return out;
  }
  Result<void> update_container_resources(const std::string&, const ContainerResources&) override {
    return std::unexpected(unsupported());
  }
  Result<ExecResult> exec_sync(const std::string&, const std::vector<std::string>&, std::chrono::seconds) override {
    return std::unexpected(unsupported());
  }
  Result<std::string> exec(const StreamRequest& r) override {
    std::lock_guard lock(mu);
    last_exec = r;
    return stream_url + "/exec/tok1";
  }
  Result<std::string> attach(const StreamRequest&) override {
    std::lock_guard lock(mu);
    return stream_url + "/attach/tok2";
  }
  Result<std::string> port_forward(const std::string&, const std::vector<int32_t>& ports) override {
    std::lock_guard lock(mu);
    last_ports = ports;
    return stream_url + "/portforward/tok3";
  }
  Result<std::optional<ImageInfo>> image_status(const std::string&) override { return std::unexpected(unsupported()); }
  Result<std::string> pull_image(const std::string&, const std::optional<RegistryAuth>&, const SandboxConfig&) override {
    return std::unexpected(unsupported());
  }
  Result<std::vector<ImageInfo>> list_images() override { return std::unexpected(unsupported()); }
  Result<void> remove_image(const std::string&) override { return std::unexpected(unsupported()); }
};

// A one-connection-at-a-time plain TCP stream server: records the request head, answers 101
// and echoes every byte until the peer closes.
class EchoUpstream {
 public:
  EchoUpstream() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    EXPECT_EQ(::listen(fd_, 4), 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~EchoUpstream() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string head() {
    std::lock_guard lock(mu_);
    return head_;
  }

 private:
  void serve() {
    for (;;) {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      std::string buf;
      char tmp[4096];
      size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = ::read(c, tmp, sizeof tmp);
        if (n <= 0) break;
        buf.append(tmp, static_cast<size_t>(n));
      }
      if (end != std::string::npos) {
        {
          std::lock_guard lock(mu_);
          head_ = buf.substr(0, end);
        }
        std::string reply =
            "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
            "X-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n" + buf.substr(end + 4);
        if (::write(c, reply.data(), reply.size()) == static_cast<ssize_t>(reply.size())) {
          for (;;) {
            ssize_t n = ::read(c, tmp, sizeof tmp);
            if (n <= 0 || ::write(c, tmp, static_cast<size_t>(n)) != n) break;
          }
        }
      }
      ::close(c);
    }
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::string head_;
};

class KubeletServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("kite-kubelet-server-" + *base::random_hex(6));
    std::filesystem::create_directories(dir_ / "pods/default_web_uid1/app");
    auto ca = *base::generate_ca("test-ca");
    auto srv = *base::issue_certificate(ca, {.common_name = "node1", .ip_sans = {"127.0.0.1"}, .server = true});
    auto api = *base::issue_certificate(ca, {.common_name = "kube-apiserver", .client = true});
    auto admin = *base::issue_certificate(ca, {.common_name = "admin", .organizations = {"system:masters"}, .client = true});
    auto bob = *base::issue_certificate(ca, {.common_name = "bob", .organizations = {"dev"}, .client = true});
    write("ca.crt", ca.cert_pem);
    write("srv.crt", srv.cert_pem);
    write("srv.key", srv.key_pem);
    write("api.crt", api.cert_pem);
    write("api.key", api.key_pem);
    write("admin.crt", admin.cert_pem);
    write("admin.key", admin.key_pem);
    write("bob.crt", bob.cert_pem);
    write("bob.key", bob.key_pem);

    log_path_ = (dir_ / "pods/default_web_uid1/app/1.log").string();
    append_log(
        "2026-11-22T10:00:01Z stdout F old one\n"
        "2026-11-22T10:00:02Z stdout P new \n"
        "2026-11-22T10:00:02.5Z stdout F two\n"
        "2026-11-22T10:00:03Z stderr F three\n");
    std::ofstream(dir_ / "pods/default_web_uid1/app/0.log") << "2026-11-22T09:00:00Z stdout F previous run\n";

    Labels pod{{"io.kubernetes.pod.namespace", "default"}, {"io.kubernetes.pod.name", "web"},
               {"io.kubernetes.pod.uid", "uid1"}};
    runtime_.sandboxes.push_back({.id = "sb1", .name = "web", .namespace_ = "default", .uid = "uid1",
                                  .state = SandboxState::kReady, .created_at = 1, .labels = pod});
    Labels app = pod;
    app["io.kubernetes.container.name"] = "app";
    runtime_.containers.push_back({.id = "c0", .sandbox_id = "sb1", .name = "app", .attempt = 0,
                                   .state = ContainerState::kExited, .created_at = 1, .labels = app});
    runtime_.containers.push_back({.id = "c1", .sandbox_id = "sb1", .name = "app", .attempt = 1,
                                   .state = ContainerState::kRunning, .created_at = 2, .log_path = log_path_,
                                   .labels = app});
    runtime_.stream_url = upstream_.url();

    server_ = std::make_unique<KubeletServer>(KubeletServerOptions{
        .bind_address = "127.0.0.1", .port = 0, .cert_file = path("srv.crt"), .key_file = path("srv.key"),
        .client_ca_file = path("ca.crt"), .runtime = &runtime_, .log_root = (dir_ / "pods").string(),
        .log_poll_interval = std::chrono::milliseconds(20)});
    auto started = server_->start();
    ASSERT_TRUE(started) << started.error().message();
  }
  void TearDown() override {
    server_->stop();
    std::filesystem::remove_all(dir_);
  }

  std::string path(const std::string& name) { return (dir_ / name).string(); }
  void write(const std::string& name, const std::string& data) {
    ASSERT_TRUE(base::write_file_atomic(path(name), data, 0600));
  }
  void append_log(const std::string& text) {
    std::ofstream out(log_path_, std::ios::app);
    out << text;
  }
  http::ClientRequest request(const std::string& target, const std::string& who = "api") {
    http::ClientRequest r{.url = "https://127.0.0.1:" + std::to_string(server_->port()) + target,
                          .ca_file = path("ca.crt")};
    if (!who.empty()) {
      r.cert_file = path(who + ".crt");
      r.key_file = path(who + ".key");
    }
    return r;
  }
  // status + whole body
  std::pair<int, std::string> get(const std::string& target, const std::string& who = "api") {
    auto res = http::dial_http(request(target, who));
    EXPECT_TRUE(res) << res.error().message();
    if (!res) return {0, ""};
    auto body = http::read_all(*res->stream);
    return {res->status, body ? *body : "<read error>"};
  }
  // Reads from `s` until `out` contains `needle` (false at end of stream).
  static bool read_until(http::RawStream& s, std::string& out, const std::string& needle) {
    char buf[1024];
    while (out.find(needle) == std::string::npos) {
      auto n = s.read_some(buf, sizeof buf);
      if (!n || *n == 0) return false;
      out.append(buf, *n);
    }
    return true;
  }

  std::filesystem::path dir_;
  std::string log_path_;
  StubRuntime runtime_;
  EchoUpstream upstream_;
  std::unique_ptr<KubeletServer> server_;
};

TEST_F(KubeletServerTest, HealthzNeedsNoCertificate) {
  auto [code, body] = get("/healthz", "");
  EXPECT_EQ(code, 200);
  EXPECT_EQ(body, "ok");
}

TEST_F(KubeletServerTest, RejectsMissingOrUnauthorizedCertificates) {
  auto [code, body] = get("/containerLogs/default/web/app", "");
  EXPECT_EQ(code, 401);
  auto status = nlohmann::json::parse(body, nullptr, false);
  EXPECT_EQ(status.value("kind", ""), "Status");
  EXPECT_EQ(status.value("reason", ""), "Unauthorized");
  auto [code2, body2] = get("/containerLogs/default/web/app", "bob");
  EXPECT_EQ(code2, 403);
  EXPECT_NE(body2.find("user=bob"), std::string::npos) << body2;
  auto [code3, body3] = get("/containerLogs/default/web/app", "admin");
  EXPECT_EQ(code3, 200) << body3;
}

TEST_F(KubeletServerTest, ServesLogs) {
  auto [code, body] = get("/containerLogs/default/web/app");
  EXPECT_EQ(code, 200);
  EXPECT_EQ(body, "old one\nnew two\nthree\n");
  EXPECT_EQ(get("/containerLogs/default/web/app?tailLines=1&timestamps=true").second,
            "2026-11-22T10:00:03.000000000Z three\n");
  EXPECT_EQ(get("/containerLogs/default/web/app?sinceTime=2026-11-22T10:00:02Z&limitBytes=5").second, "new t");
  EXPECT_EQ(get("/containerLogs/default/web/app?previous=true").second, "previous run\n");
}

TEST_F(KubeletServerTest, UnknownContainerOrPodIs404) {
  auto [code, body] = get("/containerLogs/default/web/nope");
  EXPECT_EQ(code, 404);
  EXPECT_NE(body.find("nope"), std::string::npos) << body;
  EXPECT_EQ(get("/containerLogs/default/ghost/app").first, 404);
  EXPECT_EQ(get("/containerLogs/default/web/app?tailLines=x").first, 400);
}

TEST_F(KubeletServerTest, FollowStreamsAppendedLinesUntilExit) {
  auto res = http::dial_http(request("/containerLogs/default/web/app?follow=true&tailLines=1"));
  ASSERT_TRUE(res) << res.error().message();
  ASSERT_EQ(res->status, 200);
  std::string got;
  ASSERT_TRUE(read_until(*res->stream, got, "three\n"));
  EXPECT_EQ(got, "three\n");
  append_log("2026-11-22T10:00:04Z stdout F four\n2026-11-22T10:00:05Z stdout P fi\n");
  ASSERT_TRUE(read_until(*res->stream, got, "four\n"));
  append_log("2026-11-22T10:00:05.1Z stdout F ve\n2026-11-22T10:00:06Z stdout F ");
  append_log("six\n");
  ASSERT_TRUE(read_until(*res->stream, got, "six\n"));
  EXPECT_EQ(got, "three\nfour\nfive\nsix\n");
  runtime_.set_state("c1", ContainerState::kExited);
  auto rest = http::read_all(*res->stream);  // ends once the exit is seen and the file drained
  ASSERT_TRUE(rest) << rest.error().message();
  EXPECT_EQ(*rest, "");
}

TEST_F(KubeletServerTest, StopEndsFollowingStreams) {
  auto res = http::dial_http(request("/containerLogs/default/web/app?follow=true"));
  ASSERT_TRUE(res) << res.error().message();
  std::string got;
  ASSERT_TRUE(read_until(*res->stream, got, "three\n"));
  server_->stop();
  std::string rest;
  EXPECT_FALSE(read_until(*res->stream, rest, "never"));
}

TEST_F(KubeletServerTest, AttachWithPodUidAndWebSocketHeaders) {
  auto req = request("/attach/default/web/uid1/app?output=1&error=1");
  req.headers = {{"Connection", "Upgrade"}, {"Upgrade", "websocket"}, {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                 {"Sec-WebSocket-Version", "13"}, {"Sec-WebSocket-Protocol", "v4.channel.k8s.io"}};
  auto res = http::dial_http(req);
  ASSERT_TRUE(res) << res.error().message();
  ASSERT_EQ(res->status, 101);
  res->stream->close();
  auto head = upstream_.head();
  EXPECT_EQ(head.rfind("GET /attach/tok2 ", 0), 0u) << head;
  EXPECT_NE(head.find("dGhlIHNhbXBsZSBub25jZQ=="), std::string::npos) << head;
  EXPECT_NE(head.find("v4.channel.k8s.io"), std::string::npos) << head;
  EXPECT_EQ(get("/attach/default/web/otheruid/app?output=1").first, 404);
}

TEST_F(KubeletServerTest, ExecIsSplicedToTheStreamServer) {
  auto req = request("/exec/default/web/app?command=sh&command=-c&command=echo%20hi&input=1&output=1&tty=1");
  req.method = "POST";
  req.headers = {{"Connection", "Upgrade"}, {"Upgrade", "SPDY/3.1"}, {"X-Stream-Protocol-Version", "v4.channel.k8s.io"}};
  auto res = http::dial_http(req);
  ASSERT_TRUE(res) << res.error().message();
  ASSERT_EQ(res->status, 101);
  EXPECT_EQ(res->header("upgrade"), "SPDY/3.1");
  EXPECT_EQ(res->header("x-stream-protocol-version"), "v4.channel.k8s.io");
  ASSERT_TRUE(res->stream->write("ping"));
  std::string got;
  ASSERT_TRUE(read_until(*res->stream, got, "ping"));
  EXPECT_EQ(got, "ping");
  res->stream->close();

  auto head = upstream_.head();
  EXPECT_EQ(head.rfind("POST /exec/tok1 HTTP/1.1", 0), 0u) << head;
  EXPECT_NE(head.find("v4.channel.k8s.io"), std::string::npos) << head;
  std::lock_guard lock(runtime_.mu);
  EXPECT_EQ(runtime_.last_exec.container_id, "c1");
  EXPECT_EQ(runtime_.last_exec.cmd, (std::vector<std::string>{"sh", "-c", "echo hi"}));
  EXPECT_TRUE(runtime_.last_exec.stdin_);
  EXPECT_TRUE(runtime_.last_exec.tty);
  EXPECT_FALSE(runtime_.last_exec.stderr_);
}

TEST_F(KubeletServerTest, PortForwardAndExecErrors) {
  auto req = request("/portForward/default/web?port=8080");
  req.headers = {{"Connection", "Upgrade"}, {"Upgrade", "SPDY/3.1"}};
  auto res = http::dial_http(req);
  ASSERT_TRUE(res) << res.error().message();
  ASSERT_EQ(res->status, 101);
  ASSERT_TRUE(res->stream->write("x"));
  std::string got;
  ASSERT_TRUE(read_until(*res->stream, got, "x"));
  res->stream->close();
  EXPECT_EQ(upstream_.head().rfind("GET /portforward/tok3 ", 0), 0u);
  {
    std::lock_guard lock(runtime_.mu);
    EXPECT_EQ(runtime_.last_ports, std::vector<int32_t>{8080});
  }
  EXPECT_EQ(get("/exec/default/web/app?command=ls").first, 400);  // no stream asked for
  EXPECT_EQ(get("/exec/default/web/nope?command=ls&output=1").first, 404);
  EXPECT_EQ(get("/portForward/default/ghost").first, 404);
}

}  // namespace
}  // namespace kite::agent::streaming
