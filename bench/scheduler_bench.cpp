// kite-scheduler-bench: scheduling throughput, Deployment-to-bound time and server memory of
// a running kite server (given by kubeconfig and pid), with hollow nodes registered in this
// process (tools/hollow-nodes HollowFleet). Prints a Markdown table on stdout, progress on
// stderr. Every wait is bounded by --phase-seconds. See bench/README.md for the method.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <thread>

#include "base/duration.h"
#include "base/flags.h"
#include "bench/bind_watcher.h"
#include "bench/proc_stats.h"
#include "bench/sched_workload.h"
#include "client/resource_ref.h"
#include "client/rest_client.h"
#include "tools/hollow-nodes/hollow_fleet.h"

namespace kite::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct Options {
  std::string kubeconfig;
  int server_pid = 0;
  std::vector<std::string> node_counts = {"100", "1000", "5000"};
  int pods = 10000;
  int clients = 16;
  int deployment_replicas = 100;
  int rss_nodes = 5000;
  int rss_pods = 30000;
  int phase_seconds = 600;
  int settle_seconds = 10;
  int hollow_workers = 8;
  std::string lease_renew_interval = "60s";
  std::string status_interval = "300s";
  bool hollow_pods = false;  // hollow kubelets report pods Running during the throughput runs
  bool skip_rss = false;
};

struct Row {
  std::string benchmark, nodes, pods, create_rate, result, latency, target, met;
};

double secs(SteadyClock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string fixed(double v, int digits) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(digits) << v;
  return out.str();
}

std::string mib(long kib) { return kib < 0 ? "n/a" : fixed(static_cast<double>(kib) / 1024.0, 1) + " MiB"; }

std::string percentile_ms(std::vector<double>& v, double p) {
  if (v.empty()) return "n/a";
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
  return fixed(v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)] * 1000.0, 0) + " ms";
}

class SchedulerBench {
 public:
  SchedulerBench(Options o, std::unique_ptr<client::Client> load, std::unique_ptr<client::Client> nodes_api)
      : o_(std::move(o)), api_(std::move(load)), nodes_api_(std::move(nodes_api)) {}

  int run() {
    report_rss("server RSS, idle (no hollow nodes)", 0, 0);
    std::vector<int> counts;
    for (const auto& c : o_.node_counts) counts.push_back(std::stoi(c));
    for (int n : counts) {
      if (!grow_fleet(n)) return 1;
      throughput(n, PodShape::kBasic);
      throughput(n, PodShape::kSpread);
      deployment(n);
    }
    if (!o_.skip_rss) memory();
    print();
    return 0;
  }

 private:
  hollow::HollowOptions fleet_options(size_t from, size_t to, bool handle_pods) const {
    hollow::HollowOptions h;
    for (size_t i = from; i < to; ++i) h.names.push_back("bench-node-" + std::to_string(i));
    h.cpu = "4";
    h.memory = "32Gi";
    h.pods = 110;
    h.workers = o_.hollow_workers;
    h.lease_renew_interval = std::chrono::duration_cast<milliseconds>(*base::parse_duration(o_.lease_renew_interval));
    h.status_interval = std::chrono::duration_cast<milliseconds>(*base::parse_duration(o_.status_interval));
    h.handle_pods = handle_pods;
    return h;
  }

  bool grow_fleet(int n) {
    if (static_cast<size_t>(n) <= registered_) return true;
    std::cerr << "registering hollow nodes " << registered_ << ".." << n - 1 << "\n";
    auto start = SteadyClock::now();
    auto fleet = std::make_unique<hollow::HollowFleet>(*nodes_api_, fleet_options(registered_, n, o_.hollow_pods));
    fleet->start();
    if (!fleet->wait_registered(seconds(o_.phase_seconds))) {
      std::cerr << "hollow nodes not registered within " << o_.phase_seconds << " s\n";
      return false;
    }
    std::cerr << "  " << n - registered_ << " nodes registered in " << fixed(secs(SteadyClock::now() - start), 1)
              << " s\n";
    registered_ = n;
    fleets_.push_back(std::move(fleet));
    return true;
  }

  void throughput(int nodes, PodShape shape) {
    std::string kind = shape == PodShape::kBasic ? "basic" : "spread";
    std::string ns = "sched-" + kind + "-" + std::to_string(nodes);
    ensure_namespace(*api_, ns);
    BindWatcher watcher(*api_, ns);
    if (!watcher.start()) {
      notes_.push_back(ns + ": could not start the watch");
      return;
    }
    std::cerr << "creating " << o_.pods << " " << kind << " pods with " << nodes << " nodes\n";
    auto created = create_pods(*api_, ns, "p-", o_.pods, shape, o_.clients, seconds(o_.phase_seconds));
    size_t bound = watcher.wait_bound(created.created, seconds(o_.phase_seconds));
    watcher.stop();
    auto binds = watcher.bind_times();
    double create_rate = created.created / std::max(1e-9, secs(created.last_done - created.first_start));
    double span = secs(watcher.last_bind() - created.first_start);
    std::vector<double> lat;
    for (size_t i = 0; i < created.done.size(); ++i) {
      auto it = binds.find("p-" + std::to_string(i));
      if (it != binds.end()) lat.push_back(std::max(0.0, secs(it->second - created.done[i])));
    }
    double rate = bound / std::max(1e-9, span);
    bool big = nodes >= 5000;
    Row row{"scheduling throughput, " + kind + " pods", std::to_string(nodes), std::to_string(created.created),
            fixed(create_rate, 0) + "/s", fixed(rate, 0) + " pods/s",
            percentile_ms(lat, 0.5) + " / " + percentile_ms(lat, 0.99),
            big ? ">= 1,000 pods/s (kube-scheduler floor 270)" : "-",
            big ? (rate >= 1000 ? "met" : rate >= 270 ? "above floor, target NOT met" : "NOT met") : "-"};
    rows_.push_back(row);
    std::cerr << "  " << bound << "/" << created.created << " bound; " << row.result << ", created at "
              << row.create_rate << ", bound " << fixed(secs(watcher.last_bind() - created.last_done), 2)
              << " s after the last create\n";
    if (created.errors) notes_.push_back(ns + ": " + std::to_string(created.errors) + " create errors (" + created.first_error + ")");
    if (bound < created.created) notes_.push_back(ns + ": only " + std::to_string(bound) + " of " + std::to_string(created.created) + " pods bound in time");
    if (!force_delete_pods(*api_, ns, o_.clients, seconds(o_.phase_seconds))) notes_.push_back(ns + ": pods left after cleanup");
  }

  void deployment(int nodes) {
    std::string ns = "sched-deploy-" + std::to_string(nodes);
    ensure_namespace(*api_, ns);
    BindWatcher watcher(*api_, ns);
    if (!watcher.start()) return;
    auto start = SteadyClock::now();
    auto made = api_->create(client::resources::kDeployments, ns, bench_deployment("web", o_.deployment_replicas));
    if (!made) {
      notes_.push_back(ns + ": create Deployment: " + made.error().message());
      return;
    }
    size_t bound = watcher.wait_bound(o_.deployment_replicas, seconds(o_.phase_seconds));
    watcher.stop();
    double t = secs(watcher.last_bind() - start);
    rows_.push_back({"Deployment of " + std::to_string(o_.deployment_replicas) + " replicas: create -> all bound",
                     std::to_string(nodes), std::to_string(bound), "-",
                     bound == static_cast<size_t>(o_.deployment_replicas) ? fixed(t, 2) + " s" : "timed out", "-", "-", "-"});
    std::cerr << "  deployment of " << o_.deployment_replicas << ": " << bound << " bound in " << fixed(t, 2) << " s\n";
    client::DeleteOptions del;
    del.propagation_policy = "Orphan";
    (void)api_->remove(client::resources::kDeployments, ns, "web", del);
    auto rs = api_->list(client::resources::kReplicaSets, ns);
    if (rs) {
      for (const auto& r : (*rs)["items"]) (void)api_->remove(client::resources::kReplicaSets, ns, r["metadata"].value("name", ""), del);
    }
    force_delete_pods(*api_, ns, o_.clients, seconds(o_.phase_seconds));
  }

  void memory() {
    // One fleet of rss_nodes that also reports pods Running (as kubelets would, so pod objects
    // carry a full status), taking over the nodes registered so far.
    fleets_.clear();
    registered_ = 0;
    std::cerr << "memory phase: " << o_.rss_nodes << " hollow nodes reporting pods, " << o_.rss_pods << " pods\n";
    auto fleet = std::make_unique<hollow::HollowFleet>(*nodes_api_, fleet_options(0, o_.rss_nodes, true));
    fleet->start();
    if (!fleet->wait_registered(seconds(o_.phase_seconds))) {
      notes_.push_back("memory phase: nodes not registered in time");
      return;
    }
    settle();
    report_rss("server RSS, nodes registered, no pods", o_.rss_nodes, 0);
    std::string ns = "sched-rss";
    ensure_namespace(*api_, ns);
    BindWatcher watcher(*api_, ns);
    watcher.start();
    auto created = create_pods(*api_, ns, "p-", o_.rss_pods, PodShape::kBasic, o_.clients, seconds(o_.phase_seconds));
    size_t bound = watcher.wait_bound(created.created, seconds(o_.phase_seconds));
    watcher.stop();
    auto deadline = SteadyClock::now() + seconds(o_.phase_seconds);
    while (fleet->stats().pod_status_writes < bound && SteadyClock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(500));
    }
    std::cerr << "  " << bound << " pods bound, " << fleet->stats().pod_status_writes << " pod statuses written\n";
    settle();
    report_rss("server RSS, nodes + Running pods", o_.rss_nodes, bound);
    fleet->stop();
  }

  void settle() { std::this_thread::sleep_for(seconds(o_.settle_seconds)); }

  void report_rss(const std::string& what, int nodes, size_t pods) {
    if (o_.server_pid <= 0) return;
    long kib = read_rss_kib(o_.server_pid);
    bool judged = nodes >= 5000 && pods >= 30000;
    rows_.push_back({what, std::to_string(nodes), std::to_string(pods), "-", mib(kib), "-",
                     judged ? "< 500 MB (etcd excluded)" : "-",
                     judged ? (kib >= 0 && kib * 1024.0 < 500e6 ? "met" : "NOT met") : "-"});
    std::cerr << "  " << what << ": " << mib(kib) << "\n";
  }

  void print() const {
    std::cout << "| benchmark | nodes | pods | created at | result | create -> bound p50 / p99 | target | met |\n"
              << "|---|---|---|---|---|---|---|---|\n";
    for (const auto& r : rows_) {
      std::cout << "| " << r.benchmark << " | " << r.nodes << " | " << r.pods << " | " << r.create_rate << " | "
                << r.result << " | " << r.latency << " | " << r.target << " | " << r.met << " |\n";
    }
    for (const auto& n : notes_) std::cout << "\n- " << n;
    if (!notes_.empty()) std::cout << "\n";
  }

  Options o_;
  std::unique_ptr<client::Client> api_, nodes_api_;
  std::vector<std::unique_ptr<hollow::HollowFleet>> fleets_;
  size_t registered_ = 0;
  std::vector<Row> rows_;
  std::vector<std::string> notes_;
};

int main_impl(int argc, char** argv) {
  Options o;
  base::FlagSet flags("kite-scheduler-bench");
  flags.add_string("kubeconfig", &o.kubeconfig, "Admin kubeconfig of the kite server (required)");
  flags.add_int("server-pid", &o.server_pid, "PID of kite server, for RSS readings");
  flags.add_string_list("node-counts", &o.node_counts, "Hollow node counts, ascending");
  flags.add_int("pods", &o.pods, "Pods per throughput run");
  flags.add_int("clients", &o.clients, "Threads creating pods");
  flags.add_int("deployment-replicas", &o.deployment_replicas, "Replicas of the Deployment timed to all bound");
  flags.add_int("rss-nodes", &o.rss_nodes, "Nodes in the memory phase");
  flags.add_int("rss-pods", &o.rss_pods, "Pods in the memory phase");
  flags.add_int("phase-seconds", &o.phase_seconds, "Limit of every wait");
  flags.add_int("settle-seconds", &o.settle_seconds, "Idle time before each RSS reading");
  flags.add_int("hollow-workers", &o.hollow_workers, "Worker threads of each hollow fleet");
  flags.add_string("lease-renew-interval", &o.lease_renew_interval, "Hollow nodes' lease renew interval");
  flags.add_string("status-interval", &o.status_interval, "Hollow nodes' status interval");
  flags.add_bool("hollow-pods", &o.hollow_pods, "Hollow kubelets report pods Running during throughput runs too");
  flags.add_bool("skip-rss", &o.skip_rss, "Skip the memory phase");
  auto args = flags.parse(argc - 1, argv + 1);
  if (!args) {
    std::cerr << "kite-scheduler-bench: " << args.error().message() << "\n";
    return 2;
  }
  if (flags.help_requested()) {
    std::cout << flags.usage();
    return 0;
  }
  if (o.kubeconfig.empty() || o.pods < 1 || o.clients < 1 || o.node_counts.empty() ||
      !base::parse_duration(o.lease_renew_interval) || !base::parse_duration(o.status_interval)) {
    std::cerr << "kite-scheduler-bench: --kubeconfig is required; counts must be positive; intervals are durations\n";
    return 2;
  }
  auto creds = client::credentials_from_kubeconfig(o.kubeconfig);
  if (!creds) {
    std::cerr << "kite-scheduler-bench: " << creds.error().message() << "\n";
    return 1;
  }
  client::RestClientOptions copts;
  copts.user_agent = "kite-scheduler-bench";
  copts.max_retries = 10;
  SchedulerBench bench(o, client::make_https_client(*creds, copts), client::make_https_client(*creds, copts));
  return bench.run();
}

}  // namespace
}  // namespace kite::bench

int main(int argc, char** argv) { return kite::bench::main_impl(argc, argv); }
