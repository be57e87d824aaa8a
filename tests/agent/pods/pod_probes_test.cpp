// Probes and lifecycle hooks: liveness restarts, readiness flips Ready, startup gates the
// others, httpGet/tcpSocket against a local server, postStart failures.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>

#include "tests/agent/pods/pods_test_env.h"

namespace kite::agent::pods::testing_pods {
namespace {

// A tiny HTTP server on 127.0.0.1 answering every request with `status`.
class StatusServer {
 public:
  StatusServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~StatusServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }
  void set_status(int s) { status_ = s; }
  std::string last_request() {
    std::lock_guard lock(mu_);
    return last_;
  }

 private:
  void run() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 5) <= 0) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      char buf[2048];
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      {
        std::lock_guard lock(mu_);
        last_ = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
      }
      std::string body = "ok";
      std::string resp = "HTTP/1.1 " + std::to_string(status_.load()) + " X\r\nContent-Length: 2\r\nConnection: close\r\n\r\n" + body;
      ::send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> status_{200};
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::string last_;
  std::thread thread_;
};

class PodProbesTest : public PodsTestEnv {
 protected:
  size_t execs(const std::string& cmd) {
    size_t n = 0;
    for (const auto& c : runtime.calls_of("exec_sync")) n += c.detail == cmd;
    return n;
  }
};

TEST_F(PodProbesTest, LivenessExecFailureRestartsTheContainer) {
  json c = container("app");
  c["livenessProbe"] = {{"exec", {{"command", {"cat", "/tmp/healthy"}}}}, {"periodSeconds", 5}, {"failureThreshold", 2}};
  runtime.set_exec_result({"cat", "/tmp/healthy"}, ExecResult{1, "", "cat: can't open '/tmp/healthy': No such file or directory"});
  json p = seed(pod("live", json::array({c})));
  start();
  ASSERT_TRUE(eventually([&] { return get("live")["status"].value("phase", "") == "Running"; }));
  std::string first = instances("app")[0];
  ASSERT_TRUE(eventually([&] { return execs("cat /tmp/healthy") == 1; }));
  EXPECT_TRUE(has_event("Unhealthy", "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory"));
  // One failure is below the threshold, and the next run waits for periodSeconds.
  wait_relists();
  EXPECT_EQ(execs("cat /tmp/healthy"), 1u);
  EXPECT_TRUE(running(first));

  clock.advance(5s);
  ASSERT_TRUE(eventually([&] { return instances("app").back() != first && running(instances("app").back()); }));
  EXPECT_TRUE(has_event("Killing", "Container app failed liveness probe, will be restarted"));
  auto stops = runtime.calls_of("stop_container");
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].target, first);
  EXPECT_EQ(stops[0].detail, "30");
  ASSERT_TRUE(eventually([&] { return status_of("live", "app").value("restartCount", -1) == 1; }));
  EXPECT_EQ(status_of("live", "app")["lastState"]["terminated"]["exitCode"], 137);

  // The new instance is probed afresh (the result was reset): healthy from now on, it stays.
  runtime.set_exec_result({"cat", "/tmp/healthy"}, ExecResult{0, "", ""});
  std::string second = instances("app").back();
  for (int i = 0; i < 3; ++i) {
    size_t n = execs("cat /tmp/healthy");
    clock.advance(5s);
    ASSERT_TRUE(eventually([&] { return execs("cat /tmp/healthy") > n; }));
  }
  wait_relists();
  EXPECT_EQ(instances("app").back(), second);
  EXPECT_TRUE(running(second));
}

TEST_F(PodProbesTest, ReadinessFlipsReadyAndContainersReady) {
  json c = container("app");
  c["readinessProbe"] = {{"exec", {{"command", {"/ready"}}}},
                         {"initialDelaySeconds", 3},
                         {"periodSeconds", 2},
                         {"failureThreshold", 1}};
  seed(pod("ready", json::array({c})));
  start();
  ASSERT_TRUE(eventually([&] { return get("ready")["status"].value("phase", "") == "Running"; }));
  json got = get("ready");
  EXPECT_EQ(condition(got, "Ready")["status"], "False");
  EXPECT_EQ(condition(got, "Ready")["reason"], "ContainersNotReady");
  EXPECT_EQ(condition(got, "Ready")["message"], "containers with unready status: [app]");
  EXPECT_EQ(condition(got, "ContainersReady")["status"], "False");
  EXPECT_EQ(status_of("ready", "app")["ready"], false);
  EXPECT_EQ(status_of("ready", "app")["started"], true);
  wait_relists();
  EXPECT_EQ(execs("/ready"), 0u);  // initialDelaySeconds

  clock.advance(3s);
  ASSERT_TRUE(eventually([&] { return condition(get("ready"), "Ready").value("status", "") == "True"; }));
  EXPECT_EQ(condition(get("ready"), "ContainersReady")["status"], "True");
  EXPECT_EQ(status_of("ready", "app")["ready"], true);

  runtime.set_exec_result({"/ready"}, ExecResult{1, "not ready yet\n", ""});
  clock.advance(2s);
  ASSERT_TRUE(eventually([&] { return condition(get("ready"), "Ready").value("status", "") == "False"; }));
  EXPECT_TRUE(has_event("Unhealthy", "Readiness probe failed: not ready yet\n"));
  EXPECT_EQ(instances("app").size(), 1u);  // readiness never restarts
  EXPECT_TRUE(running(instances("app")[0]));
}

TEST_F(PodProbesTest, StartupProbeGatesLiveness) {
  json c = container("app");
  c["startupProbe"] = {{"exec", {{"command", {"/started"}}}}, {"periodSeconds", 1}, {"failureThreshold", 30}};
  c["livenessProbe"] = {{"exec", {{"command", {"/alive"}}}}, {"periodSeconds", 1}};
  runtime.set_exec_result({"/started"}, ExecResult{1, "", ""});
  seed(pod("slow", json::array({c})));
  start();
  ASSERT_TRUE(eventually([&] { return execs("/started") == 1; }));
  clock.advance(1s);
  ASSERT_TRUE(eventually([&] { return execs("/started") == 2; }));
  EXPECT_EQ(execs("/alive"), 0u);
  EXPECT_EQ(status_of("slow", "app")["started"], false);
  EXPECT_EQ(status_of("slow", "app")["ready"], false);

  runtime.set_exec_result({"/started"}, ExecResult{0, "", ""});
  clock.advance(1s);
  ASSERT_TRUE(eventually([&] { return status_of("slow", "app").value("started", false); })) << get("slow").dump(2);
  ASSERT_TRUE(eventually([&] { return execs("/alive") >= 1; }));
  EXPECT_EQ(status_of("slow", "app")["ready"], true);
  size_t started_runs = execs("/started");
  clock.advance(1s);
  ASSERT_TRUE(eventually([&] { return execs("/alive") >= 2; }));
  EXPECT_EQ(execs("/started"), started_runs);  // startup stops once it succeeded
}

TEST_F(PodProbesTest, HttpGetReadinessAgainstALocalServer) {
  StatusServer server;
  json c = container("app");
  c["ports"] = json::array({{{"name", "http"}, {"containerPort", server.port()}}});
  c["readinessProbe"] = {{"httpGet", {{"host", "127.0.0.1"},
                                      {"port", "http"},
                                      {"path", "/healthz"},
                                      {"httpHeaders", json::array({{{"name", "X-Probe"}, {"value", "kite"}}})}}},
                         {"periodSeconds", 1},
                         {"failureThreshold", 1}};
  seed(pod("http", json::array({c})));
  start();
  ASSERT_TRUE(eventually([&] { return condition(get("http"), "Ready").value("status", "") == "True"; }))
      << get("http").dump(2);
  std::string req = server.last_request();
  EXPECT_EQ(req.rfind("GET /healthz HTTP/1.1\r\n", 0), 0u) << req;
  EXPECT_NE(req.find("X-Probe: kite\r\n"), std::string::npos);
  EXPECT_NE(req.find("User-Agent: kube-probe/"), std::string::npos);

  server.set_status(503);
  clock.advance(1s);
  ASSERT_TRUE(eventually([&] { return condition(get("http"), "Ready").value("status", "") == "False"; }));
  EXPECT_TRUE(has_event("Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503"));
}

TEST_F(PodProbesTest, TcpSocketLivenessOnAClosedPortRestarts) {
  int port;
  {
    StatusServer closed;  // take a free port, then close it
    port = closed.port();
  }
  json c = container("app");
  c["livenessProbe"] = {{"tcpSocket", {{"host", "127.0.0.1"}, {"port", port}}}, {"periodSeconds", 1}, {"failureThreshold", 1}};
  seed(pod("tcp", json::array({c})));
  start();
  ASSERT_TRUE(eventually([&] { return instances("app").size() == 2; }));
  EXPECT_TRUE(has_event("Unhealthy", "Liveness probe failed: dial tcp 127.0.0.1:" + std::to_string(port) +
                                         ": connect: connection refused"));
}

TEST_F(PodProbesTest, FailedPostStartHookKillsTheContainer) {
  json c = container("app");
  c["lifecycle"] = {{"postStart", {{"exec", {{"command", {"sh", "-c", "exit 1"}}}}}}};
  runtime.set_exec_result({"sh", "-c", "exit 1"}, ExecResult{1, "", "boom"});
  json p = seed(pod("hooks", json::array({c})));
  std::string uid = p["metadata"]["uid"];
  start();
  ASSERT_TRUE(eventually([&] { return !runtime.calls_of("stop_container").empty(); }));
  std::string first = instances("app")[0];
  EXPECT_EQ(runtime.calls_of("stop_container")[0].target, first);
  EXPECT_TRUE(has_event("FailedPostStartHook", "Exec lifecycle hook ([sh -c exit 1]) for Container \"app\" in Pod \"hooks_default(" +
                                                   uid + ")\" failed - error: command 'sh -c exit 1' exited with 1: boom, message: \"boom\""));
  EXPECT_TRUE(has_event("Killing", "FailedPostStartHook"));
  // The killed container is restarted like any failed one.
  ASSERT_TRUE(eventually([&] { return instances("app").size() >= 2; }));
}

TEST_F(PodProbesTest, SuccessfulPostStartHookRunsAfterStart) {
  json c = container("app");
  c["lifecycle"] = {{"postStart", {{"exec", {{"command", {"touch", "/ready"}}}}}}};
  seed(pod("hook-ok", json::array({c})));
  start();
  ASSERT_TRUE(eventually([&] { return status_of("hook-ok", "app").value("ready", false); }));
  auto calls = runtime.calls();
  size_t started = 0, hook = 0;
  for (size_t i = 0; i < calls.size(); ++i) {
    if (calls[i].method == "start_container") started = i;
    if (calls[i].method == "exec_sync" && calls[i].detail == "touch /ready") hook = i;
  }
  EXPECT_GT(hook, started);
  EXPECT_TRUE(runtime.calls_of("stop_container").empty());
}

}  // namespace
}  // namespace kite::agent::pods::testing_pods
