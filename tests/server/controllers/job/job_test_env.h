// A Job controller under test: FakeClient + real informers + ManualClock, the controller run
// without worker threads (the test calls sync_now), and helpers to drive pods the way a
// kubelet would.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/ids.h"
#include "client/fake_client.h"
#include "client/informer.h"
#include "server/controllers/framework/controller.h"

namespace kite::controllers::testing {

using json = nlohmann::json;
using client::resources::kJobs;
using client::resources::kPods;

// Waits (polling) until `pred` holds or 10 s pass.
inline bool wait_until(const std::function<bool()>& pred) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return pred();
}

inline base::Clock::time_point at(const std::string& s) {
  base::Clock::time_point t;
  EXPECT_TRUE(base::parse_rfc3339(s, &t)) << s;
  return t;
}

class ControllerEnv {
 public:
  ControllerEnv() : informers(fake), clock(at("2026-11-22T10:00:00Z")), ctx{fake, informers, clock, {}} {
    fake.use_clock(&clock);  // object timestamps on the test's clock, whatever the real date
  }
  ~ControllerEnv() { informers.stop_all(); }

  void start() {
    informers.start_all();
    ASSERT_TRUE(informers.wait_for_sync(std::chrono::seconds(10)));
  }

  // True when the informer of `r` holds exactly the objects (and versions) the fake stores.
  bool informer_caught_up(const client::ResourceRef& r) {
    std::map<std::string, std::string> want, have;
    for (const auto& o : fake.objects(r)) want[client::object_key(o)] = o["metadata"].value("resourceVersion", "");
    for (const auto& o : informers.informer(r).list()) have[client::object_key(*o)] = (*o)["metadata"].value("resourceVersion", "");
    return want == have;
  }
  void settle(std::initializer_list<client::ResourceRef> resources) {
    ASSERT_TRUE(wait_until([&] {
      for (const auto& r : resources)
        if (!informer_caught_up(r)) return false;
      return true;
    }));
  }

  json get(const client::ResourceRef& r, const std::string& name, const std::string& ns = "default") {
    auto o = fake.get(r, ns, name);
    return o ? *o : json();
  }
  std::vector<json> pods() { return fake.objects(kPods); }
  std::vector<json> actions(const std::string& verb, const std::string& resource) {
    std::vector<json> out;
    for (const auto& a : fake.actions())
      if (a.verb == verb && a.resource == resource) out.push_back({{"name", a.name}, {"object", a.object}});
    return out;
  }

  // Sets a pod's phase (and a terminated container with `exit_code`) as a kubelet would.
  void finish_pod(const std::string& name, const std::string& phase, int exit_code = 0) {
    json pod = get(kPods, name);
    ASSERT_FALSE(pod.is_null()) << name;
    pod["status"]["phase"] = phase;
    pod["status"]["containerStatuses"] = json::array(
        {{{"name", "main"},
          {"restartCount", 0},
          {"state", {{"terminated", {{"exitCode", exit_code}, {"finishedAt", base::rfc3339(clock.now())}}}}}}});
    ASSERT_TRUE(fake.update(kPods, pod, "status").has_value());
  }
  void set_pod_condition(const std::string& name, const std::string& type, const std::string& status) {
    json pod = get(kPods, name);
    pod["status"]["conditions"] = json::array({{{"type", type}, {"status", status}}});
    ASSERT_TRUE(fake.update(kPods, pod, "status").has_value());
  }

  client::FakeClient fake;
  client::InformerFactory informers;
  base::ManualClock clock;
  ControllerContext ctx;
};

inline const json* condition(const json& obj, const std::string& type) {
  if (!obj.contains("status") || !obj["status"].contains("conditions")) return nullptr;
  for (const auto& c : obj["status"]["conditions"])
    if (c.value("type", "") == type) return &c;
  return nullptr;
}

inline bool has_condition(const json& obj, const std::string& type, const std::string& status = "True") {
  const json* c = condition(obj, type);
  return c != nullptr && c->value("status", "") == status;
}

}  // namespace kite::controllers::testing
