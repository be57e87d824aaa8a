// The benchmark's Markdown report: one row per measurement with kite's numbers, the raw etcd
// baseline beside them, the target and whether it was met; notes (errors, context) follow.
// Not thread-safe; filled and printed by the main thread.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "bench/latency_stats.h"

namespace kite::bench {

struct ReportRow {
  std::string benchmark;
  std::string clients;
  std::string kite_rate, kite_p50, kite_p99;
  std::string raw_rate, raw_p50, raw_p99;
  std::string ratio;
  std::string kite_cpu;  // kite server CPU per operation
  std::string etcd_cpu;  // etcd CPU per operation: "during kite's phase / during the raw phase"
  std::string target;
  std::string met;  // "met", "NOT met", or "-" (no target)
};

class Report {
 public:
  void add(ReportRow row) { rows_.push_back(std::move(row)); }
  void note(std::string text) { notes_.push_back(std::move(text)); }
  // Notes the phase's errors (if any) under `label`.
  void note_errors(const std::string& label, const PhaseResult& r);
  void print(std::ostream& out) const;

 private:
  std::vector<ReportRow> rows_;
  std::vector<std::string> notes_;
};

std::string format_rate(double per_second);
std::string format_ratio(double ratio);
// "123 us": CPU microseconds per successful operation of the phase ("" when not measured).
std::string cpu_per_op(double cpu_us, size_t ops);
std::string verdict(bool met);

}  // namespace kite::bench
