// Latency samples and their summary (count, throughput, percentiles) for one benchmark phase.
//
// Samples are durations in microseconds. Percentiles use the nearest-rank method on the sorted
// samples. Not thread-safe: each worker fills its own LatencySamples and the phase merges them.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace kite::bench {

class LatencySamples {
 public:
  void add(std::chrono::nanoseconds d) { us_.push_back(static_cast<double>(d.count()) / 1000.0); }
  void add_us(double us) { us_.push_back(us); }
  void merge(const LatencySamples& other) { us_.insert(us_.end(), other.us_.begin(), other.us_.end()); }
  size_t count() const { return us_.size(); }
  // The p-th percentile (0 < p <= 100) in microseconds; 0 when there are no samples.
  double percentile_us(double p) const;

 private:
  std::vector<double> us_;
};

struct PhaseResult {
  std::string name;
  int clients = 0;
  size_t ok = 0;
  size_t errors = 0;
  std::string first_error;
  double seconds = 0;  // wall time of the timed part
  LatencySamples latency;
  // CPU time the kite server and etcd processes used during the phase (microseconds; -1 when
  // not measured). Includes the untimed connection setup of the phase's clients.
  double kite_cpu_us = -1;
  double etcd_cpu_us = -1;

  double throughput() const { return seconds > 0 ? static_cast<double>(ok) / seconds : 0; }
};

// "0.42 ms", "12.3 ms", "1.20 s" for a duration in microseconds.
std::string format_us(double us);

}  // namespace kite::bench
