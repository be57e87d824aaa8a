#include "server/controllers/daemonset/expectations.h"

namespace kite::controllers::daemonset {

namespace {
constexpr std::chrono::minutes kExpectationsTimeout{5};
}

void Expectations::set(const std::string& key, int64_t adds, int64_t deletes) {
  std::lock_guard lock(mu_);
  entries_[key] = Entry{adds, deletes, clock_.now()};
}

void Expectations::lower(const std::string& key, int64_t adds, int64_t deletes) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  it->second.adds -= adds;
  it->second.deletes -= deletes;
}

bool Expectations::satisfied(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return true;
  if (it->second.adds <= 0 && it->second.deletes <= 0) return true;
  return clock_.now() - it->second.set_at > kExpectationsTimeout;
}

void Expectations::forget(const std::string& key) {
  std::lock_guard lock(mu_);
  entries_.erase(key);
}

}  // namespace kite::controllers::daemonset
