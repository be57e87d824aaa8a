// RateLimiter: a token bucket (qps tokens per second, at most `burst` saved up) that paces a
// RestClient's requests, as client-go's flowcontrol does. Callers take one token each; when
// the bucket is empty the token is reserved in the future and the caller waits for it, so
// concurrent callers are spaced 1/qps apart. qps <= 0 means unlimited.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <mutex>

namespace kite::client {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimiter(double qps, int burst, Clock::time_point now = Clock::now());

  // Takes one token at `now`; returns how long the caller must wait before using it (zero when
  // one was available).
  Clock::duration reserve(Clock::time_point now);
  // reserve(Clock::now()) and sleep for the returned delay.
  void wait();
  bool unlimited() const { return qps_ <= 0; }

 private:
  std::mutex mu_;
  double qps_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace kite::client
