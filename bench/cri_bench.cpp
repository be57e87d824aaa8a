// kite-cri-bench: the raw CRI baseline for the pod startup benchmark (bench/run_pod_bench.py).
//
// Starts pods directly through CRI, with the calls kite's agent makes for a pod whose image is
// present (RunPodSandbox, CreateContainer, StartContainer), on `--parallel` threads, and prints
// one JSON line: per-pod start latencies (ms, from the first call to StartContainer returning)
// and the wall time for all of them. `--rate R` starts pods at R per second instead of all at
// once (each pod's latency is measured from its scheduled start). Everything it created is
// stopped and removed before it exits (also after errors). Sandboxes carry the label
// kite-bench=cri and no io.kubernetes.pod.uid, so a kite agent on the same containerd leaves
// them alone.
//
//   kite-cri-bench --endpoint unix:///run/kite/containerd/containerd.sock --pods 100
//       --parallel 4 --image kite.local/busybox:1.35 --log-dir /tmp/x --cgroup-parent /kite-bench
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/cri/cri_runtime.h"
#include "base/flags.h"

namespace {

using Clock = std::chrono::steady_clock;
using kite::agent::ContainerConfig;
using kite::agent::Runtime;
using kite::agent::SandboxConfig;

struct Options {
  std::string endpoint;
  int pods = 1;
  int parallel = 1;
  double rate = 0;  // pods per second; 0 = all at once
  std::string image = "kite.local/busybox:1.35";
  std::string log_dir = "/tmp/kite-cri-bench-logs";
  std::string cgroup_parent;
  std::string run_id;
};

struct Started {
  std::string sandbox_id, container_id;
  double ms = 0;
  std::string error;
};

SandboxConfig sandbox_for(const Options& o, int i) {
  SandboxConfig s;
  s.name = "cri-bench-" + std::to_string(i);
  s.namespace_ = "kite-bench";
  char uid[64];
  std::snprintf(uid, sizeof uid, "%s-%08d", o.run_id.c_str(), i);
  s.uid = uid;
  s.hostname = s.name;
  s.log_directory = o.log_dir + "/" + s.namespace_ + "_" + s.name + "_" + s.uid;
  s.labels = {{"kite-bench", "cri"}};
  if (!o.cgroup_parent.empty()) s.cgroup_parent = o.cgroup_parent + "/pod" + s.uid;
  return s;
}

Started start_pod(Runtime& rt, const Options& o, int i) {
  Started out;
  SandboxConfig s = sandbox_for(o, i);
  auto t0 = Clock::now();
  auto sandbox = rt.run_pod_sandbox(s);
  if (!sandbox) {
    out.error = "RunPodSandbox: " + sandbox.error().message();
    return out;
  }
  out.sandbox_id = *sandbox;
  ContainerConfig c;
  c.name = "c";
  c.image = o.image;
  c.command = {"sleep", "3600"};
  c.labels = s.labels;
  c.log_path = "c/0.log";
  auto container = rt.create_container(*sandbox, c, s);
  if (!container) {
    out.error = "CreateContainer: " + container.error().message();
    return out;
  }
  out.container_id = *container;
  if (auto r = rt.start_container(*container); !r) {
    out.error = "StartContainer: " + r.error().message();
    return out;
  }
  out.ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  return out;
}

void clean_up(Runtime& rt, const std::vector<Started>& pods) {
  for (const auto& p : pods) {
    if (!p.container_id.empty()) (void)rt.stop_container(p.container_id, std::chrono::seconds(0));
    if (!p.sandbox_id.empty()) {
      (void)rt.stop_pod_sandbox(p.sandbox_id);
      (void)rt.remove_pod_sandbox(p.sandbox_id);
    }
  }
}

int run(const Options& o) {
  auto rt = kite::agent::connect_cri_runtime(o.endpoint, std::chrono::seconds(10));
  if (!rt) {
    std::cerr << "kite-cri-bench: " << rt.error().message() << "\n";
    return 1;
  }
  std::vector<Started> pods(static_cast<size_t>(o.pods));
  std::atomic<int> next{0};
  const auto begin = Clock::now();
  auto worker = [&] {
    for (;;) {
      int i = next.fetch_add(1);
      if (i >= o.pods) return;
      if (o.rate > 0) {
        auto due = begin + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(i / o.rate));
        std::this_thread::sleep_until(due);
      }
      pods[static_cast<size_t>(i)] = start_pod(**rt, o, i);
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < o.parallel; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  const double wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - begin).count();

  nlohmann::json result = {{"pods", o.pods}, {"parallel", o.parallel}, {"rate", o.rate}, {"wall_ms", wall_ms}};
  nlohmann::json latencies = nlohmann::json::array();
  std::string first_error;
  for (const auto& p : pods) {
    if (p.error.empty()) {
      latencies.push_back(p.ms);
    } else if (first_error.empty()) {
      first_error = p.error;
    }
  }
  result["latencies_ms"] = latencies;
  if (!first_error.empty()) result["error"] = first_error;
  clean_up(**rt, pods);
  std::cout << result.dump() << std::endl;
  return first_error.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  kite::base::FlagSet flags("kite-cri-bench");
  flags.add_string("endpoint", &o.endpoint, "CRI endpoint (unix:///.../containerd.sock)");
  flags.add_int("pods", &o.pods, "pods to start");
  flags.add_int("parallel", &o.parallel, "threads starting pods");
  std::string rate = "0";
  flags.add_string("rate", &rate, "pods per second (0 = all at once)");
  flags.add_string("image", &o.image, "container image (must be present)");
  flags.add_string("log-dir", &o.log_dir, "folder for the pods' log directories");
  flags.add_string("cgroup-parent", &o.cgroup_parent, "cgroup parent of the pods (\"\" = the runtime's)");
  auto args = flags.parse(argc, argv);
  if (!args) {
    std::cerr << "kite-cri-bench: " << args.error().message() << "\n";
    return 2;
  }
  if (flags.help_requested()) {
    std::cout << flags.usage();
    return 0;
  }
  try {
    o.rate = std::stod(rate);
  } catch (...) {
    o.rate = -1;
  }
  if (o.endpoint.empty() || o.pods < 1 || o.parallel < 1 || o.rate < 0) {
    std::cerr << "kite-cri-bench: --endpoint is required; --pods and --parallel must be >= 1, --rate >= 0\n";
    return 2;
  }
  o.run_id = std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 100000000);
  return run(o);
}
