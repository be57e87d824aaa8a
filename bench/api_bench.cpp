// kite-api-bench: a load generator for the kite API server with raw etcd baselines measured
// in the same run against the same etcd (through kv::EtcdStore, as the server itself talks to
// etcd). Prints a Markdown table on stdout and progress on stderr. Every loop is bounded by a
// count and a per-phase time limit; it talks only to the addresses it is given (loopback when
// run by bench/run_api_bench.sh).
#include <unistd.h>

#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/flags.h"
#include "bench/bench_report.h"
#include "bench/https_client.h"
#include "bench/kubeconfig.h"
#include "bench/phase_runner.h"
#include "bench/proc_stats.h"
#include "bench/watch_probe.h"
#include "server/kv/etcd_store.h"

namespace kite::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string kubeconfig;
  std::string etcd_endpoint = "http://127.0.0.1:2379";
  int server_pid = 0;
  int etcd_pid = 0;
  std::vector<std::string> concurrency = {"1", "10", "50"};
  // Creates per concurrency level; they all land in one namespace, which the list then reads,
  // so their sum is the list size (5,000 by default).
  std::vector<std::string> create_counts = {"1000", "2000", "2000"};
  int get_count = 20000;       // GETs per concurrency level
  int list_count = 30;         // sequential LISTs
  int watch_count = 1000;      // watched creates
  int total_objects = 10000;   // objects that exist before the second RSS reading
  int payload_bytes = 1024;    // size of each ConfigMap body
  int phase_seconds = 60;      // time limit of each phase
  int settle_seconds = 3;      // idle time before each RSS reading
};

std::string mib(long kib) {
  if (kib < 0) return "n/a";
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << static_cast<double>(kib) / 1024.0 << " MiB";
  return out.str();
}

// A ConfigMap body of exactly `size` bytes (when size allows), data padded with 'x'.
std::string configmap_body(const std::string& ns, const std::string& name, int size) {
  nlohmann::json obj = {{"apiVersion", "v1"},
                        {"kind", "ConfigMap"},
                        {"metadata", {{"name", name}, {"namespace", ns}, {"labels", {{"app", "kite-bench"}}}}},
                        {"data", {{"payload", ""}}}};
  size_t base = obj.dump().size();
  if (static_cast<size_t>(size) > base) obj["data"]["payload"] = std::string(size - base, 'x');
  return obj.dump();
}

std::string level_name(int clients, size_t i) { return "c" + std::to_string(clients) + "-" + std::to_string(i); }

bool wait_until_ready(const KubeconfigCredentials& creds, std::chrono::seconds limit) {
  auto until = Clock::now() + limit;
  while (Clock::now() < until) {
    HttpsClient c(creds, std::chrono::seconds(5));
    if (c.connect() && c.request("GET", "/api/v1/namespaces/default").status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

class Bench {
 public:
  Bench(Options o, KubeconfigCredentials creds, std::unique_ptr<kv::EtcdStore> etcd)
      : o_(std::move(o)), creds_(std::move(creds)), etcd_(std::move(etcd)) {}

  int run() {
    if (!wait_until_ready(creds_, std::chrono::seconds(60))) {
      std::cerr << "kite-api-bench: the API server did not become ready\n";
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::seconds(o_.settle_seconds));
    long rss_idle = o_.server_pid > 0 ? read_rss_kib(o_.server_pid) : -1;
    auto run_start = Clock::now();
    double self0 = read_cpu_us(getpid()), kite0 = read_cpu_us(o_.server_pid), etcd0 = read_cpu_us(o_.etcd_pid);
    for (const char* ns : {"bench", "bench-watch", "bench-fill"}) {
      if (auto err = create_namespace(ns); !err.empty()) {
        std::cerr << "kite-api-bench: " << err << "\n";
        return 1;
      }
    }
    creates();
    gets();
    list();
    watch();
    long rss_full = fill_and_measure_rss();
    report_.add({"server RSS, idle after start", "-", mib(rss_idle), "", "", "", "", "", "", "", "", "< 60 MiB",
                 rss_idle < 0 ? "n/a" : verdict(rss_idle < 60 * 1024)});
    report_.add({"server RSS, " + std::to_string(objects_) + " objects", "-", mib(rss_full), "", "", "", "", "", "",
                 "", "", "-", "-"});
    double wall = std::chrono::duration<double>(Clock::now() - run_start).count();
    auto share = [&](double before, int pid) {
      double after = read_cpu_us(pid);
      if (before < 0 || after < 0) return std::string("n/a");
      std::ostringstream out;
      out << std::fixed << std::setprecision(1) << (after - before) / 1e6 << " s";
      return out.str();
    };
    std::ostringstream cpu;
    cpu << std::fixed << std::setprecision(1) << "CPU used over the " << wall << " s of measurements: kite "
        << share(kite0, o_.server_pid) << ", etcd " << share(etcd0, o_.etcd_pid) << ", this load generator "
        << share(self0, getpid()) << " (2 cores shared by all three).";
    report_.note(cpu.str());
    report_.print(std::cout);
    return 0;
  }

 private:
  std::string create_namespace(const std::string& ns) {
    HttpsClient c(creds_);
    nlohmann::json body = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}};
    auto r = c.request("POST", "/api/v1/namespaces", body.dump());
    if (r.status == 201 || r.status == 409) return "";
    return "create namespace " + ns + ": HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 300);
  }

  // A setup that connects one HTTPS client per thread and runs `op` with it.
  ClientSetup https_setup(std::function<std::string(HttpsClient&, size_t)> op) {
    return [this, op](int, std::string& error) -> Operation {
      auto client = std::make_shared<HttpsClient>(creds_);
      if (auto c = client->connect(); !c) {
        error = c.error().message();
        return {};
      }
      return [client, op](size_t i) { return op(*client, i); };
    };
  }

  ClientSetup etcd_setup(std::function<std::string(size_t)> op) {
    return [op](int, std::string&) -> Operation { return op; };
  }

  static std::string http_error(const HttpResult& r, int want) {
    if (r.status == want) return "";
    return "HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200);
  }

  static std::string kv_error(const base::Status& s) { return std::string(s.message()); }

  std::chrono::seconds limit() const { return std::chrono::seconds(o_.phase_seconds); }

  // run_phase, plus the CPU time kite and etcd used meanwhile.
  PhaseResult measured(const std::string& name, int clients, size_t total, const ClientSetup& setup) {
    double kite0 = read_cpu_us(o_.server_pid), etcd0 = read_cpu_us(o_.etcd_pid);
    PhaseResult r = run_phase(name, clients, total, limit(), setup);
    double kite1 = read_cpu_us(o_.server_pid), etcd1 = read_cpu_us(o_.etcd_pid);
    if (kite0 >= 0 && kite1 >= 0) r.kite_cpu_us = kite1 - kite0;
    if (etcd0 >= 0 && etcd1 >= 0) r.etcd_cpu_us = etcd1 - etcd0;
    return r;
  }

  void creates() {
    for (size_t l = 0; l < o_.concurrency.size(); ++l) {
      int clients = std::stoi(o_.concurrency[l]);
      size_t count = l < o_.create_counts.size() ? std::stoul(o_.create_counts[l]) : 1000;
      std::cerr << "create: " << clients << " clients, " << count << " objects (raw etcd, then kite)\n";
      auto raw = measured("raw put", clients, count, etcd_setup([this, clients](size_t i) {
        std::string name = level_name(clients, i);
        auto r = etcd_->create("/bench-raw/configmaps/" + name, configmap_body("bench", name, o_.payload_bytes));
        return r ? std::string() : kv_error(r.error());
      }));
      auto kite = measured("create", clients, count, https_setup([this, clients](HttpsClient& c, size_t i) {
        std::string name = level_name(clients, i);
        return http_error(c.request("POST", "/api/v1/namespaces/bench/configmaps",
                                    configmap_body("bench", name, o_.payload_bytes)), 201);
      }));
      for (size_t i = 0; i < count; ++i) created_.push_back(level_name(clients, i));
      objects_ += kite.ok;
      double ratio = raw.throughput() > 0 ? kite.throughput() / raw.throughput() : 0;
      add_pair("create ConfigMap (~1 KiB)", clients, kite, raw, ratio, ">= 0.8x raw put", ratio >= 0.8);
    }
  }

  void gets() {
    for (const auto& cs : o_.concurrency) {
      int clients = std::stoi(cs);
      size_t count = static_cast<size_t>(o_.get_count);
      std::cerr << "get: " << clients << " clients, " << count << " reads (raw etcd, then kite)\n";
      auto raw = measured("raw get", clients, count, etcd_setup([this](size_t i) {
        auto r = etcd_->get("/bench-raw/configmaps/" + created_[i % created_.size()]);
        if (!r) return kv_error(r.error());
        return *r ? std::string() : std::string("raw key missing");
      }));
      auto kite = measured("get", clients, count, https_setup([this](HttpsClient& c, size_t i) {
        return http_error(c.request("GET", "/api/v1/namespaces/bench/configmaps/" + created_[i % created_.size()]),
                          200);
      }));
      double p99 = kite.latency.percentile_us(99);
      add_pair("get ConfigMap by name", clients, kite, raw,
               raw.throughput() > 0 ? kite.throughput() / raw.throughput() : 0, "p99 < 2 ms",
               kite.ok > 0 && p99 < 2000);
    }
  }

  void list() {
    HttpsClient probe(creds_);
    auto first = probe.request("GET", "/api/v1/namespaces/bench/configmaps");
    size_t items = 0;
    if (first.status == 200) {
      auto j = nlohmann::json::parse(first.body, nullptr, false);
      if (!j.is_discarded() && j.contains("items") && j["items"].is_array()) items = j["items"].size();
    }
    std::cerr << "list: " << o_.list_count << " lists of " << items << " objects (raw etcd, then kite)\n";
    const std::string prefix = "/registry/configmaps/bench/";
    size_t raw_items = 0;
    auto raw = measured("raw range", 1, o_.list_count, etcd_setup([&](size_t) {
      auto r = etcd_->range({.key = prefix, .range_end = kv::prefix_end(prefix)});
      if (!r) return kv_error(r.error());
      raw_items = r->kvs.size();
      return std::string();
    }));
    auto kite = measured("list", 1, o_.list_count, https_setup([](HttpsClient& c, size_t) {
      return http_error(c.request("GET", "/api/v1/namespaces/bench/configmaps"), 200);
    }));
    add_pair("list " + std::to_string(items) + " ConfigMaps", 1, kite, raw,
             raw.throughput() > 0 ? kite.throughput() / raw.throughput() : 0, "p99 < 100 ms",
             kite.ok > 0 && kite.latency.percentile_us(99) < 100000);
    report_.note("list: the kite response held " + std::to_string(items) + " items (" +
                 std::to_string(first.body.size() / 1024) + " KiB); the raw etcd range of " + prefix + " held " +
                 std::to_string(raw_items) + " keys.");
  }

  void watch() {
    std::cerr << "watch: " << o_.watch_count << " creates, one watcher\n";
    auto w = run_watch_probe(creds_, "bench-watch", static_cast<size_t>(o_.watch_count),
                             [this](const std::string& name) { return configmap_body("bench-watch", name, o_.payload_bytes); },
                             std::chrono::seconds(10));
    objects_ += w.after_response.ok + 1;
    const auto& r = w.after_response;
    report_.add({"watch delivery (create response -> event)", "1", "",
                 format_us(r.latency.percentile_us(50)), format_us(r.latency.percentile_us(99)), "", "", "", "", "", "",
                 "p99 < 20 ms", verdict(r.ok > 0 && w.missing == 0 && r.latency.percentile_us(99) < 20000)});
    report_.add({"watch delivery (create sent -> event)", "1", "", format_us(w.after_send.percentile_us(50)),
                 format_us(w.after_send.percentile_us(99)), "", "", "", "", "", "", "-", "-"});
    report_.note("watch: " + std::to_string(r.ok) + " events matched, " + std::to_string(w.missing) + " missing, " +
                 std::to_string(w.early_events) + " arrived before their create's response (counted as 0).");
    report_.note_errors("watch", r);
  }

  long fill_and_measure_rss() {
    size_t want = static_cast<size_t>(o_.total_objects);
    size_t need = want > objects_ ? want - objects_ : 0;
    std::cerr << "fill: " << need << " more objects, then RSS\n";
    if (need > 0) {
      auto fill = run_phase("fill", 10, need, limit(), https_setup([this](HttpsClient& c, size_t i) {
        std::string name = "f-" + std::to_string(i);
        return http_error(c.request("POST", "/api/v1/namespaces/bench-fill/configmaps",
                                    configmap_body("bench-fill", name, o_.payload_bytes)), 201);
      }));
      objects_ += fill.ok;
      report_.note_errors("fill", fill);
    }
    std::this_thread::sleep_for(std::chrono::seconds(o_.settle_seconds));
    return o_.server_pid > 0 ? read_rss_kib(o_.server_pid) : -1;
  }

  void add_pair(const std::string& what, int clients, const PhaseResult& kite, const PhaseResult& raw, double ratio,
                const std::string& target, bool met) {
    report_.add({what, std::to_string(clients), format_rate(kite.throughput()),
                 format_us(kite.latency.percentile_us(50)), format_us(kite.latency.percentile_us(99)),
                 format_rate(raw.throughput()), format_us(raw.latency.percentile_us(50)),
                 format_us(raw.latency.percentile_us(99)), format_ratio(ratio), cpu_per_op(kite.kite_cpu_us, kite.ok),
                 cpu_per_op(kite.etcd_cpu_us, kite.ok) + " / " + cpu_per_op(raw.etcd_cpu_us, raw.ok), target,
                 kite.errors == 0 ? verdict(met) : verdict(false) + " (errors)"});
    report_.note_errors(what + ", " + std::to_string(clients) + " clients (kite)", kite);
    report_.note_errors(what + ", " + std::to_string(clients) + " clients (raw etcd)", raw);
  }

  Options o_;
  KubeconfigCredentials creds_;
  std::unique_ptr<kv::EtcdStore> etcd_;
  Report report_;
  std::vector<std::string> created_;  // names created in namespace "bench" (and under /bench-raw/)
  size_t objects_ = 0;                // kite objects created so far
};

int bench_main(int argc, char** argv) {
  Options o;
  base::FlagSet flags("kite-api-bench");
  flags.add_string("kubeconfig", &o.kubeconfig, "Kubeconfig written by kite server (server URL, CA, client cert)");
  flags.add_string("etcd-endpoint", &o.etcd_endpoint, "The etcd kite uses, for the raw baselines");
  flags.add_int("server-pid", &o.server_pid, "PID of the kite server, for RSS and CPU readings (0 = skip)");
  flags.add_int("etcd-pid", &o.etcd_pid, "PID of etcd, for CPU readings (0 = skip)");
  flags.add_string_list("concurrency", &o.concurrency, "Client counts for create and get");
  flags.add_string_list("create-counts", &o.create_counts, "Creates per concurrency level (sum = list size)");
  flags.add_int("get-count", &o.get_count, "GETs per concurrency level");
  flags.add_int("list-count", &o.list_count, "Sequential LISTs");
  flags.add_int("watch-count", &o.watch_count, "Creates observed by the watcher");
  flags.add_int("total-objects", &o.total_objects, "Objects that exist before the second RSS reading");
  flags.add_int("payload-bytes", &o.payload_bytes, "Size of each ConfigMap body");
  flags.add_int("phase-seconds", &o.phase_seconds, "Time limit of each phase");
  flags.add_int("settle-seconds", &o.settle_seconds, "Idle wait before each RSS reading");
  auto args = flags.parse(argc - 1, argv + 1);
  if (flags.help_requested()) {
    std::cout << flags.usage();
    return 0;
  }
  if (!args) {
    std::cerr << args.error().message() << "\n" << flags.usage();
    return 2;
  }
  if (o.kubeconfig.empty() || o.concurrency.empty()) {
    std::cerr << "--kubeconfig is required\n" << flags.usage();
    return 2;
  }
  auto creds = read_kubeconfig(o.kubeconfig);
  if (!creds) {
    std::cerr << creds.error().message() << "\n";
    return 2;
  }
  auto etcd = kv::EtcdStore::connect({.endpoints = {o.etcd_endpoint}});
  if (!etcd) {
    std::cerr << "etcd: " << etcd.error().message() << "\n";
    return 2;
  }
  Bench bench(std::move(o), std::move(*creds), std::move(*etcd));
  return bench.run();
}

}  // namespace
}  // namespace kite::bench

int main(int argc, char** argv) {
  try {
    return kite::bench::bench_main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "kite-api-bench: " << e.what() << "\n";
    return 1;
  }
}
