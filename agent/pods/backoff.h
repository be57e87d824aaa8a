// Backoff: per-key exponential backoff with the semantics of kubelet's flowcontrol.Backoff,
// which CrashLoopBackOff and ImagePullBackOff are built on: next() starts a key at `initial`
// and doubles it up to `max` on each call; an entry not updated for 2 * max expires (the key
// starts again at `initial`), so a container that ran for 10 minutes before failing restarts
// at once. Times come from the caller (the injected clock).
//
// format_go_duration() prints a duration as Go's time.Duration.String() does ("10s", "1m20s",
// "5m0s"), the way kubelet's messages show back-off periods. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "base/clock.h"

namespace kite::agent::pods {

class Backoff {
 public:
  using time_point = base::Clock::time_point;
  using duration = std::chrono::milliseconds;
  Backoff(duration initial, duration max) : initial_(initial), max_(max) {}

  // Records a failure/restart at `at`: the first (or first after expiry) gives `initial`,
  // then the previous period doubled, capped at max. Returns the new period.
  duration next(const std::string& key, time_point at);
  // The current period of `key` (0 when unknown).
  duration get(const std::string& key) const;
  // kubelet's IsInBackOffSince: true when an unexpired entry exists and `event_time` (the
  // container's finishedAt) is less than one period before `now`.
  bool in_backoff_since(const std::string& key, time_point event_time, time_point now) const;
  // kubelet's IsInBackOffSinceUpdate: less than one period since the last next() call.
  bool in_backoff_since_update(const std::string& key, time_point now) const;
  // When the current back-off period of `key` measured from `event_time` ends (nullopt = none).
  std::optional<time_point> ends_at(const std::string& key, time_point event_time) const;
  // When in_backoff_since_update() turns false (last update + period; nullopt = no entry).
  std::optional<time_point> retry_after_update(const std::string& key) const;
  void reset(const std::string& key);
  // Forgets every key starting with `prefix` (a pod's keys when it goes away).
  void forget_prefix(const std::string& prefix);

 private:
  struct Entry {
    duration period{0};
    time_point last_update;
  };
  bool expired(const Entry& e, time_point at) const { return at - e.last_update > 2 * max_; }

  duration initial_, max_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

std::string format_go_duration(std::chrono::nanoseconds d);

}  // namespace kite::agent::pods
