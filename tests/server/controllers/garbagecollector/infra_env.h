// InfraEnv: one infrastructure controller over a FakeClient with real shared informers and a
// ManualClock, for the garbagecollector, endpoints, endpointslice, nodelifecycle, podgc,
// nodeipam, serviceaccount and disruption tests. Conditions are awaited with a deadline.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include "base/clock.h"
#include "client/fake_client.h"
#include "client/informer.h"
#include "server/controllers/framework/controller.h"

namespace kite::controllers::testing {

using client::json;
namespace res = client::resources;

class InfraEnv {
 public:
  InfraEnv() : informers(fake), ctx{fake, informers, clock, {}} {}
  ~InfraEnv() { shut_down(); }

  // Starts `c` (handlers, workers), then the informers, and waits for their first sync.
  template <typename C>
  C* start(std::unique_ptr<C> c) {
    C* raw = c.get();
    controller = std::move(c);
    controller->start();
    informers.start_all();
    informers.wait_for_sync(std::chrono::seconds(10));
    return raw;
  }

  void shut_down() {
    informers.stop_all();
    if (controller) controller->stop();
    controller.reset();
  }

  // Polls `pred` until it holds or `timeout` passes.
  static bool eventually(const std::function<bool()>& pred,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return pred();
  }
  // Checks that `pred` keeps holding for `window` (for "nothing happens" assertions).
  static bool stays(const std::function<bool()>& pred,
                    std::chrono::milliseconds window = std::chrono::milliseconds(300)) {
    auto deadline = std::chrono::steady_clock::now() + window;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!pred()) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return pred();
  }

  // The stored object, or nullopt (read without recording an action).
  std::optional<json> find(const client::ResourceRef& r, const std::string& ns, const std::string& name) const {
    for (auto& o : fake.objects(r)) {
      if (o["metadata"].value("name", "") == name && o["metadata"].value("namespace", "") == ns) return o;
    }
    return std::nullopt;
  }
  size_t count(const client::ResourceRef& r) const { return fake.objects(r).size(); }

  client::FakeClient fake;
  client::InformerFactory informers;
  base::ManualClock clock;
  ControllerContext ctx;
  std::unique_ptr<Controller> controller;
};

inline json owner_ref(const json& owner, bool controller = true, bool block = true) {
  return {{"apiVersion", owner.value("apiVersion", "v1")},
          {"kind", owner.value("kind", "")},
          {"name", owner["metadata"].value("name", "")},
          {"uid", owner["metadata"].value("uid", "")},
          {"controller", controller},
          {"blockOwnerDeletion", block}};
}

}  // namespace kite::controllers::testing
