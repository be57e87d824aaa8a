// PodsTestEnv: a PodManager on a FakeClient + FakeRuntime + ManualClock, with helpers to seed
// pods, read them back, and wait for conditions with a deadline (no sleeps).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "agent/pods/pod_manager.h"
#include "agent/runtime/fake_runtime.h"
#include "base/clock.h"
#include "client/fake_client.h"

namespace kite::agent::pods::testing_pods {

using json = nlohmann::json;
using namespace std::chrono_literals;

inline constexpr const char* kBusybox = "kite.local/busybox:1.35";

class PodsTestEnv : public ::testing::Test {
 protected:
  void SetUp() override {
    api.use_clock(&clock);
    runtime.add_image(kBusybox, 4'200'000);
    dir = std::filesystem::temp_directory_path() /
          ("kite-pods-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "resolv.conf") << "nameserver 192.168.5.1\nsearch lab.example\noptions edns0\n";
  }

  void TearDown() override {
    if (manager) manager->stop();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  static int& counter() {
    static int n = 0;
    return n;
  }

  PodManagerOptions options() {
    PodManagerOptions o;
    o.client = &api;
    o.runtime = &runtime;
    o.clock = &clock;
    o.node_name = "node-a";
    o.node_ip = "192.168.5.10";
    o.cluster_dns = "10.43.0.10";
    o.log_root = (dir / "logs").string();
    o.cgroup_parent = "/kite-node-a/kubepods";
    o.resolv_conf = (dir / "resolv.conf").string();
    o.relist_period = 5ms;
    o.probe_tick = 2ms;
    o.workers = 2;
    o.memory_capacity_bytes = 8LL << 30;
    return o;
  }

  void start() { start(options()); }
  void start(PodManagerOptions o) {
    manager = std::make_unique<PodManager>(std::move(o));
    auto r = manager->start();
    ASSERT_TRUE(r.has_value()) << r.error().message();
  }
  void restart() {
    manager->stop();
    manager.reset();
    start();
  }

  static json container(const std::string& name, const std::string& image = kBusybox) {
    return {{"name", name},
            {"image", image},
            {"command", {"sh", "-c", "sleep 3600"}},
            {"terminationMessagePath", "/dev/termination-log"},
            {"terminationMessagePolicy", "File"}};
  }

  // A pod bound to node-a with the given containers.
  static json pod(const std::string& name, json containers, json extra_spec = json::object()) {
    json spec = {{"nodeName", "node-a"}, {"containers", std::move(containers)}};
    for (auto& [k, v] : extra_spec.items()) spec[k] = v;
    return {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", {{"app", name}}}}},
            {"spec", spec},
            {"status", {{"phase", "Pending"},
                        {"conditions", json::array({{{"type", "PodScheduled"}, {"status", "True"},
                                                     {"lastProbeTime", nullptr},
                                                     {"lastTransitionTime", "2026-01-01T00:00:00Z"}}})}}}};
  }

  json seed(json p) { return api.seed(client::resources::kPods, std::move(p)); }

  json get(const std::string& name) {
    auto p = api.get(client::resources::kPods, "default", name);
    return p ? *p : json();
  }

  // Waits (real time) until `pred` holds.
  static bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 10s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred()) return true;
      std::this_thread::sleep_for(1ms);
    }
    return pred();
  }

  // Waits until the manager has relisted `n` more times (a quiet period for "nothing happened").
  void wait_relists(int n = 5) {
    size_t start = runtime.calls_of("list_pod_sandboxes").size();
    ASSERT_TRUE(eventually([&] { return runtime.calls_of("list_pod_sandboxes").size() >= start + 2 * n; }));
  }

  json status_of(const std::string& pod_name, const std::string& container_name, const char* list = "containerStatuses") {
    json p = get(pod_name);
    for (const auto& s : p["status"].value(list, json::array())) {
      if (s.value("name", "") == container_name) return s;
    }
    return json::object();
  }

  std::string waiting_reason(const std::string& pod_name, const std::string& container_name,
                             const char* list = "containerStatuses") {
    json s = status_of(pod_name, container_name, list);
    if (!s.contains("state") || !s["state"].contains("waiting")) return "";
    return s["state"]["waiting"].value("reason", "");
  }

  std::string waiting_message(const std::string& pod_name, const std::string& container_name) {
    json s = status_of(pod_name, container_name);
    if (!s.contains("state") || !s["state"].contains("waiting")) return "";
    return s["state"]["waiting"].value("message", "");
  }

  static json condition(const json& p, const std::string& type) {
    for (const auto& c : p["status"].value("conditions", json::array())) {
      if (c.value("type", "") == type) return c;
    }
    return json::object();
  }

  // Messages of the events with `reason` about any pod.
  std::vector<std::string> events(const std::string& reason) {
    std::vector<std::string> out;
    for (const auto& e : api.objects(client::resources::kEvents)) {
      if (e.value("reason", "") == reason) out.push_back(e.value("message", ""));
    }
    return out;
  }
  bool has_event(const std::string& reason, const std::string& message) {
    return eventually([&] {
      for (const auto& m : events(reason)) {
        if (m == message) return true;
      }
      return false;
    });
  }

  // Ids of the containers named `name`, oldest first.
  std::vector<std::string> instances(const std::string& name) { return runtime.containers_named(name); }
  bool running(const std::string& id) {
    auto s = runtime.container_status(id);
    return s && s->state == ContainerState::kRunning;
  }

  base::ManualClock clock{std::chrono::system_clock::now()};
  client::FakeClient api;
  FakeRuntime runtime{clock};
  std::unique_ptr<PodManager> manager;
  std::filesystem::path dir;
};

}  // namespace kite::agent::pods::testing_pods
