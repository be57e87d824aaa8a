// Test environment for the workload controllers (StatefulSet, DaemonSet): a FakeClient, real
// shared informers, a ManualClock, the controller under test running its own workers, and a
// FakeKubelet that marks new pods Running and Ready (when enabled) the way a node agent would.
// Waits are for conditions with a deadline, never plain sleeps.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "base/clock.h"
#include "base/ids.h"
#include "client/fake_client.h"
#include "client/informer.h"
#include "client/resource_ref.h"
#include "server/controllers/framework/controller.h"

namespace kite::controllers::testing {

using json = nlohmann::json;
namespace res = client::resources;

// Polls `cond` until it holds or `timeout` passes.
inline bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return cond();
}

inline json ready_status(const std::string& phase = "Running") {
  return json{{"phase", phase},
              {"conditions",
               json::array({{{"type", "Ready"},
                             {"status", "True"},
                             {"lastTransitionTime", base::rfc3339(std::chrono::system_clock::now() -
                                                                  std::chrono::hours(1))}}})}};
}

// Marks pods Running+Ready as soon as they are created, while `enabled`.
class FakeKubelet {
 public:
  explicit FakeKubelet(client::FakeClient& fake) : fake_(fake) {
    auto w = fake_.watch(res::kPods, "");
    if (w) stream_ = std::move(*w);
    thread_ = std::thread([this] { run(); });
  }
  ~FakeKubelet() {
    stopping_ = true;
    if (stream_) stream_->stop();
    thread_.join();
  }
  std::atomic<bool> enabled{true};

 private:
  void run() {
    if (!stream_) return;
    while (auto ev = stream_->next()) {
      if (stopping_) return;
      if (ev->type != client::WatchEvent::Type::kAdded || !enabled) continue;
      const json& pod = ev->object;
      if (pod["metadata"].contains("deletionTimestamp")) continue;
      json updated = pod;
      updated["status"] = ready_status();
      (void)fake_.update(res::kPods, updated, "status");
    }
  }
  client::FakeClient& fake_;
  std::unique_ptr<client::WatchStream> stream_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// Not called WorkloadEnv: replicaset/workload_env.h has a class of that name in this namespace,
// and two different classes under one name in one test binary break the one-definition rule
// (the linker keeps one of their inline member functions for both).
class SetControllerEnv {
 public:
  using Factory = std::function<std::unique_ptr<Controller>(ControllerContext&)>;
  SetControllerEnv() : informers_(fake), ctx_{fake, informers_, clock, {}} {}
  ~SetControllerEnv() {
    if (controller_) controller_->stop();
    informers_.stop_all();
  }
  void start(const Factory& make) {
    controller_ = make(ctx_);
    controller_->start();
    informers_.start_all();
    ASSERT_TRUE(informers_.wait_for_sync(std::chrono::seconds(10)));
  }

  std::optional<json> get(const client::ResourceRef& r, const std::string& ns, const std::string& name) {
    auto o = fake.get(r, ns, name);
    if (!o) return std::nullopt;
    return *o;
  }
  bool exists(const client::ResourceRef& r, const std::string& ns, const std::string& name) {
    return get(r, ns, name).has_value();
  }
  std::vector<json> pods(const std::string& ns = "default") {
    std::vector<json> out;
    for (auto& p : fake.objects(res::kPods)) {
      if (p["metadata"].value("namespace", "") == ns) out.push_back(p);
    }
    return out;
  }
  // Sets a pod's status (as the node agent would).
  void set_pod_status(const std::string& ns, const std::string& name, const json& status) {
    auto pod = fake.get(res::kPods, ns, name);
    ASSERT_TRUE(pod.has_value()) << name;
    json updated = *pod;
    updated["status"] = status;
    ASSERT_TRUE(fake.update(res::kPods, updated, "status").has_value());
  }
  void make_ready(const std::string& ns, const std::string& name) { set_pod_status(ns, name, ready_status()); }
  // Patches an object's spec with a JSON merge patch.
  void merge_patch(const client::ResourceRef& r, const std::string& ns, const std::string& name, const json& patch) {
    ASSERT_TRUE(fake.patch(r, ns, name, client::PatchType::kMerge, patch).has_value());
  }

  client::FakeClient fake;
  base::ManualClock clock;

 private:
  client::InformerFactory informers_;
  ControllerContext ctx_;
  std::unique_ptr<Controller> controller_;
};

}  // namespace kite::controllers::testing
