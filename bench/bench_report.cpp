#include "bench/bench_report.h"

#include <iomanip>
#include <sstream>

namespace kite::bench {

void Report::note_errors(const std::string& label, const PhaseResult& r) {
  if (r.errors == 0 && r.first_error.empty()) return;
  note(label + ": " + std::to_string(r.errors) + " failed operations; first: " + r.first_error);
}

void Report::print(std::ostream& out) const {
  out << "| benchmark | clients | kite req/s | kite p50 | kite p99 | raw etcd req/s | raw etcd p50 | raw etcd p99"
         " | kite/raw | kite CPU/op | etcd CPU/op (kite / raw) | target | result |\n";
  out << "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n";
  for (const auto& r : rows_) {
    out << "| " << r.benchmark << " | " << r.clients << " | " << r.kite_rate << " | " << r.kite_p50 << " | "
        << r.kite_p99 << " | " << r.raw_rate << " | " << r.raw_p50 << " | " << r.raw_p99 << " | " << r.ratio
        << " | " << r.kite_cpu << " | " << r.etcd_cpu << " | " << r.target << " | " << r.met << " |\n";
  }
  if (!notes_.empty()) {
    out << "\n";
    for (const auto& n : notes_) out << "- " << n << "\n";
  }
}

std::string format_rate(double per_second) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(0) << per_second;
  return out.str();
}

std::string format_ratio(double ratio) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(2) << ratio << "x";
  return out.str();
}

std::string cpu_per_op(double cpu_us, size_t ops) {
  if (cpu_us < 0 || ops == 0) return "";
  std::ostringstream out;
  out << std::fixed << std::setprecision(0) << cpu_us / static_cast<double>(ops) << " us";
  return out.str();
}

std::string verdict(bool met) { return met ? "met" : "**NOT met**"; }

}  // namespace kite::bench
