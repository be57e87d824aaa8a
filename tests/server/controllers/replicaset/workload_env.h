// Test environment for the ReplicaSet and Deployment controllers: a FakeClient, real shared
// informers, a ManualClock, and the controllers built with no worker threads so that each test
// drives sync(key) itself. settle() waits (with a deadline) until the informer caches show
// exactly what the fake stores, so every sync sees the effects of the previous one; converge()
// runs the controllers (and an optional fake kubelet that marks pods ready) until nothing
// changes. No sleeps stand in for conditions.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/ids.h"
#include "client/fake_client.h"
#include "client/informer.h"
#include "client/resource_ref.h"
#include "server/controllers/deployment/deployment_controller.h"
#include "server/controllers/replicaset/replicaset_controller.h"

namespace kite::controllers::testing {

using json = nlohmann::json;
namespace res = client::resources;

class WorkloadEnv {
 public:
  WorkloadEnv()
      : clock(std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000))),
        informers_(fake),
        ctx_{fake, informers_, clock, {}} {}
  ~WorkloadEnv() {
    if (rsc) rsc->stop();
    if (dc) dc->stop();
    informers_.stop_all();
  }

  void start(bool with_deployments = true) {
    rsc = std::make_unique<ReplicaSetController>(ctx_, 0);
    rsc->start();
    if (with_deployments) {
      dc = std::make_unique<DeploymentController>(ctx_, 0);
      dc->start();
    }
    informers_.start_all();
    ASSERT_TRUE(informers_.wait_for_sync(std::chrono::seconds(10)));
  }

  // Waits until the caches of deployments, replicasets and pods equal the fake's contents.
  void settle() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!caches_match()) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "informer caches did not catch up: " << mismatch_;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    // Handlers run just after the store is updated: give them a moment to record what they
    // observed (expectations) before the next sync reads them.
    if (!rsc) return;
    for (const auto& rs : fake.objects(res::kReplicaSets)) {
      const std::string key = client::object_key(rs);
      auto soon = std::chrono::steady_clock::now() + std::chrono::seconds(2);
      while (!rsc->expectations().satisfied(key) && std::chrono::steady_clock::now() < soon)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  base::Result<void> sync_rs(const std::string& key) {
    settle();
    return rsc->sync(key);
  }
  base::Result<void> sync_deployment(const std::string& key) {
    settle();
    return dc->sync(key);
  }
  void sync_all_replicasets() {
    settle();
    for (const auto& rs : fake.objects(res::kReplicaSets)) (void)rsc->sync(client::object_key(rs));
  }

  // Marks every active pod that is not ready Running + Ready since now.
  void make_all_ready() {
    for (auto& pod : fake.objects(res::kPods)) {
      if (pod["metadata"].contains("deletionTimestamp")) continue;
      if (pod.value("status", json::object()).value("phase", "") == "Running") continue;
      set_ready(pod);
    }
  }
  void set_ready(json pod) {
    pod["status"] = ready_status(clock.now());
    ASSERT_TRUE(fake.update(res::kPods, pod, "status").has_value());
  }
  static json ready_status(std::chrono::system_clock::time_point since) {
    return json{{"phase", "Running"},
                {"conditions", json::array({{{"type", "Ready"}, {"status", "True"},
                                             {"lastTransitionTime", base::rfc3339(since)}}})}};
  }

  // Runs RS controller, kubelet and deployment controller rounds until the stored objects stop
  // changing (at most `rounds`).
  void converge(const std::string& deployment_key, bool kubelet = true, int rounds = 30) {
    std::string last;
    for (int i = 0; i < rounds; ++i) {
      sync_all_replicasets();
      if (kubelet) make_all_ready();
      sync_all_replicasets();
      (void)sync_deployment(deployment_key);
      std::string now = snapshot();
      if (now == last) return;
      last = now;
    }
  }

  json get(const client::ResourceRef& r, const std::string& ns, const std::string& name) {
    auto o = fake.get(r, ns, name);
    return o ? *o : json();
  }
  std::vector<json> objects(const client::ResourceRef& r) { return fake.objects(r); }
  std::vector<json> replicasets() { return fake.objects(res::kReplicaSets); }
  // Pods not being deleted (pods bound to a node terminate gracefully in the fake, as they do
  // in a real server: they keep a deletionTimestamp until the node confirms).
  std::vector<json> pods() {
    std::vector<json> out;
    for (auto& p : fake.objects(res::kPods))
      if (!p["metadata"].contains("deletionTimestamp")) out.push_back(p);
    return out;
  }
  std::vector<json> pods_of(const json& owner) {
    std::vector<json> out;
    for (auto& p : pods()) {
      for (auto& ref : p["metadata"].value("ownerReferences", json::array()))
        if (ref.value("uid", "") == owner["metadata"]["uid"]) out.push_back(p);
    }
    return out;
  }
  // Event messages recorded so far (written asynchronously: waits until `want` shows up).
  bool has_event(const std::string& reason, const std::string& message_part) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    do {
      for (auto& e : fake.objects(res::kEvents)) {
        if (e.value("reason", "") == reason && e.value("message", "").find(message_part) != std::string::npos)
          return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
  }

  client::FakeClient fake;
  base::ManualClock clock;
  std::unique_ptr<ReplicaSetController> rsc;
  std::unique_ptr<DeploymentController> dc;

 private:
  bool caches_match() {
    for (const auto* r : {&res::kDeployments, &res::kReplicaSets, &res::kPods}) {
      std::map<std::string, std::string> want, have;
      for (const auto& o : fake.objects(*r)) want[client::object_key(o)] = o["metadata"].value("resourceVersion", "");
      for (const auto& o : informers_.informer(*r).list())
        have[client::object_key(*o)] = (*o)["metadata"].value("resourceVersion", "");
      if (want != have) {
        mismatch_ = r->resource + ": fake has " + std::to_string(want.size()) + ", cache has " +
                    std::to_string(have.size());
        return false;
      }
    }
    return true;
  }
  std::string snapshot() {
    std::string s;
    for (const auto* r : {&res::kDeployments, &res::kReplicaSets, &res::kPods})
      for (const auto& o : fake.objects(*r)) s += client::object_key(o) + "@" + o["metadata"].value("resourceVersion", "") + ";";
    return s;
  }

  std::string mismatch_;
  client::InformerFactory informers_;
  ControllerContext ctx_;
};

// A pod template with one container.
inline json pod_template(const json& labels, const std::string& image = "app:v1") {
  return json{{"metadata", {{"labels", labels}}},
              {"spec", {{"containers", json::array({{{"name", "app"}, {"image", image}}})}}}};
}

}  // namespace kite::controllers::testing
