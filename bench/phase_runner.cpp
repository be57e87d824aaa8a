#include "bench/phase_runner.h"

#include <atomic>
#include <latch>
#include <mutex>
#include <thread>
#include <vector>

namespace kite::bench {

PhaseResult run_phase(const std::string& name, int clients, size_t total, std::chrono::seconds time_limit,
                      const ClientSetup& setup) {
  using Clock = std::chrono::steady_clock;
  PhaseResult result;
  result.name = name;
  result.clients = clients;

  std::atomic<size_t> next{0};
  std::atomic<bool> expired{false};
  std::latch ready(clients + 1);
  std::latch go(1);
  std::mutex mu;
  Clock::time_point start, deadline;
  std::vector<Clock::time_point> finished(clients);
  std::vector<std::thread> threads;
  threads.reserve(clients);

  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      std::string error;
      Operation op = setup(c, error);
      if (!op && error.empty()) error = "client setup failed";
      ready.count_down();
      go.wait();
      LatencySamples samples;
      size_t ok = 0, errors = 0;
      std::string first_error = error;
      if (error.empty()) {
        for (;;) {
          if (Clock::now() >= deadline) {
            expired = true;
            break;
          }
          size_t i = next.fetch_add(1);
          if (i >= total) break;
          auto t0 = Clock::now();
          std::string err = op(i);
          auto t1 = Clock::now();
          if (err.empty()) {
            samples.add(t1 - t0);
            ++ok;
          } else {
            ++errors;
            if (first_error.empty()) first_error = err;
          }
        }
      } else {
        ++errors;
      }
      finished[c] = Clock::now();
      std::lock_guard lock(mu);
      result.latency.merge(samples);
      result.ok += ok;
      result.errors += errors;
      if (result.first_error.empty()) result.first_error = first_error;
    });
  }
  ready.arrive_and_wait();
  start = Clock::now();
  deadline = start + time_limit;
  go.count_down();
  for (auto& t : threads) t.join();
  Clock::time_point end = start;
  for (auto f : finished) end = std::max(end, f);
  result.seconds = std::chrono::duration<double>(end - start).count();
  if (expired) result.first_error = (result.first_error.empty() ? "" : result.first_error + "; ") + "time limit reached";
  return result;
}

}  // namespace kite::bench
