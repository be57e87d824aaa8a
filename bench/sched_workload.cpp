#include "bench/sched_workload.h"

#include <atomic>
#include <mutex>
#include <thread>

#include "client/resource_ref.h"

namespace kite::bench {

namespace res = client::resources;
using nlohmann::json;

namespace {

json pod_spec(PodShape shape, const std::string& app) {
  json spec = {{"containers", json::array({{{"name", "app"},
                                            {"image", "registry.local/bench:1"},
                                            {"resources", {{"requests", {{"cpu", "10m"}, {"memory", "16Mi"}}}}}}})}};
  if (shape == PodShape::kSpread) {
    json selector = {{"matchLabels", {{"app", app}}}};
    spec["topologySpreadConstraints"] = json::array({{{"maxSkew", 1},
                                                      {"topologyKey", "kubernetes.io/hostname"},
                                                      {"whenUnsatisfiable", "ScheduleAnyway"},
                                                      {"labelSelector", selector}}});
    spec["affinity"] = {{"podAntiAffinity",
                         {{"preferredDuringSchedulingIgnoredDuringExecution",
                           json::array({{{"weight", 100},
                                         {"podAffinityTerm",
                                          {{"topologyKey", "kubernetes.io/hostname"}, {"labelSelector", selector}}}}})}}}};
  }
  return spec;
}

}  // namespace

json bench_pod(const std::string& name, PodShape shape) {
  std::string app = shape == PodShape::kSpread ? "bench-spread" : "bench-basic";
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"labels", {{"app", app}}}}},
          {"spec", pod_spec(shape, app)}};
}

json bench_deployment(const std::string& name, int replicas) {
  json labels = {{"app", name}};
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"replicas", replicas},
            {"selector", {{"matchLabels", labels}}},
            {"template", {{"metadata", {{"labels", labels}}}, {"spec", pod_spec(PodShape::kBasic, name)}}}}}};
}

CreateResult create_pods(client::Client& api, const std::string& ns, const std::string& prefix, size_t count,
                         PodShape shape, int clients, std::chrono::seconds limit) {
  CreateResult r;
  r.done.resize(count);
  std::atomic<size_t> next{0}, created{0}, errors{0};
  std::mutex mu;
  auto deadline = std::chrono::steady_clock::now() + limit;
  r.first_start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < count && std::chrono::steady_clock::now() < deadline; i = next++) {
        auto made = api.create(res::kPods, ns, bench_pod(prefix + std::to_string(i), shape));
        r.done[i] = std::chrono::steady_clock::now();
        if (made) {
          ++created;
        } else {
          ++errors;
          std::lock_guard lock(mu);
          if (r.first_error.empty()) r.first_error = made.error().message();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  r.last_done = std::chrono::steady_clock::now();
  r.created = created;
  r.errors = errors;
  return r;
}

bool force_delete_pods(client::Client& api, const std::string& ns, int clients, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    auto list = api.list(res::kPods, ns);
    if (!list) continue;
    const json& items = (*list)["items"];
    if (items.empty()) return true;
    std::atomic<size_t> next{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < clients; ++t) {
      threads.emplace_back([&] {
        for (size_t i = next++; i < items.size(); i = next++) {
          client::DeleteOptions opts;
          opts.grace_period_seconds = 0;
          (void)api.remove(res::kPods, ns, items[i]["metadata"].value("name", ""), opts);
        }
      });
    }
    for (auto& t : threads) t.join();
  }
  return false;
}

bool ensure_namespace(client::Client& api, const std::string& ns) {
  auto r = api.create(res::kNamespaces, "", {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}});
  return r || r.error().reason() == base::Reason::AlreadyExists;
}

}  // namespace kite::bench
