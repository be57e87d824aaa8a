#include "client/rate_limiter.h"

#include <algorithm>
#include <thread>

namespace kite::client {

RateLimiter::RateLimiter(double qps, int burst, Clock::time_point now)
    : qps_(qps), burst_(std::max(1, burst)), tokens_(burst_), last_(now) {}

RateLimiter::Clock::duration RateLimiter::reserve(Clock::time_point now) {
  if (unlimited()) return Clock::duration::zero();
  std::lock_guard lock(mu_);
  if (now > last_) {
    double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
    last_ = now;
  }
  tokens_ -= 1;
  if (tokens_ >= 0) return Clock::duration::zero();
  // The token is borrowed from the future: wait until the bucket has refilled to zero.
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(-tokens_ / qps_));
}

void RateLimiter::wait() {
  auto delay = reserve(Clock::now());
  if (delay > Clock::duration::zero()) std::this_thread::sleep_for(delay);
}

}  // namespace kite::client
