// Clock: the time source every controller, the scheduler and the client's timers read, so that
// tests can move time by hand instead of sleeping.
//
// `now()` is wall-clock time (object timestamps are wall time: creationTimestamp, Lease
// renewTime, Job startTime). RealClock reads std::chrono::system_clock; ManualClock returns
// what the test set and only moves when told. Both are thread-safe.
#pragma once

#include <chrono>
#include <mutex>

namespace kite::base {

class Clock {
 public:
  using time_point = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  virtual time_point now() const = 0;
};

class RealClock final : public Clock {
 public:
  time_point now() const override { return std::chrono::system_clock::now(); }
};

// The process-wide real clock.
inline const Clock& real_clock() {
  static const RealClock clock;
  return clock;
}

class ManualClock final : public Clock {
 public:
  explicit ManualClock(time_point start = std::chrono::system_clock::now()) : now_(start) {}
  time_point now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }
  void set(time_point t) {
    std::lock_guard lock(mu_);
    now_ = t;
  }
  void advance(std::chrono::system_clock::duration d) {
    std::lock_guard lock(mu_);
    now_ += d;
  }

 private:
  mutable std::mutex mu_;
  time_point now_;
};

}  // namespace kite::base
