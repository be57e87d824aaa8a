#include "bench/latency_stats.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace kite::bench {

double LatencySamples::percentile_us(double p) const {
  if (us_.empty()) return 0;
  std::vector<double> sorted = us_;
  std::sort(sorted.begin(), sorted.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  if (rank == 0) rank = 1;
  return sorted[std::min(rank, sorted.size()) - 1];
}

std::string format_us(double us) {
  std::ostringstream out;
  if (us >= 1e6) {
    out << std::fixed << std::setprecision(2) << us / 1e6 << " s";
  } else if (us >= 10e3) {
    out << std::fixed << std::setprecision(1) << us / 1e3 << " ms";
  } else {
    out << std::fixed << std::setprecision(2) << us / 1e3 << " ms";
  }
  return out.str();
}

}  // namespace kite::bench
