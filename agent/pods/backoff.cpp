#include "agent/pods/backoff.h"

#include <cstdio>

namespace kite::agent::pods {

Backoff::duration Backoff::next(const std::string& key, time_point at) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || expired(it->second, at)) {
    entries_[key] = Entry{initial_, at};
    return initial_;
  }
  it->second.period = std::min(it->second.period * 2, max_);
  it->second.last_update = at;
  return it->second.period;
}

Backoff::duration Backoff::get(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  return it == entries_.end() ? duration(0) : it->second.period;
}

bool Backoff::in_backoff_since(const std::string& key, time_point event_time, time_point now) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || expired(it->second, event_time)) return false;
  return now - event_time < it->second.period;
}

bool Backoff::in_backoff_since_update(const std::string& key, time_point now) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || expired(it->second, now)) return false;
  return now - it->second.last_update < it->second.period;
}

std::optional<Backoff::time_point> Backoff::ends_at(const std::string& key, time_point event_time) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return event_time + it->second.period;
}

std::optional<Backoff::time_point> Backoff::retry_after_update(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second.last_update + it->second.period;
}

void Backoff::reset(const std::string& key) {
  std::lock_guard lock(mu_);
  entries_.erase(key);
}

void Backoff::forget_prefix(const std::string& prefix) {
  std::lock_guard lock(mu_);
  for (auto it = entries_.lower_bound(prefix); it != entries_.end() && it->first.compare(0, prefix.size(), prefix) == 0;) {
    it = entries_.erase(it);
  }
}

std::string format_go_duration(std::chrono::nanoseconds d) {
  using namespace std::chrono;
  if (d.count() == 0) return "0s";
  std::string sign = d.count() < 0 ? "-" : "";
  if (d.count() < 0) d = -d;
  if (d < seconds(1)) {
    char buf[32];
    if (d < microseconds(1)) {
      std::snprintf(buf, sizeof buf, "%lldns", static_cast<long long>(d.count()));
    } else if (d < milliseconds(1)) {
      std::snprintf(buf, sizeof buf, "%gµs", static_cast<double>(d.count()) / 1e3);
    } else {
      std::snprintf(buf, sizeof buf, "%gms", static_cast<double>(d.count()) / 1e6);
    }
    return sign + buf;
  }
  auto h = duration_cast<hours>(d);
  auto m = duration_cast<minutes>(d - h);
  auto rest = d - h - m;
  double secs = static_cast<double>(rest.count()) / 1e9;
  char sbuf[32];
  std::snprintf(sbuf, sizeof sbuf, "%.9g", secs);
  std::string out = sign;
  if (h.count() > 0) out += std::to_string(h.count()) + "h";
  if (h.count() > 0 || m.count() > 0) out += std::to_string(m.count()) + "m";
  out += std::string(sbuf) + "s";
  return out;
}

}  // namespace kite::agent::pods
