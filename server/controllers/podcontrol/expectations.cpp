#include "server/controllers/podcontrol/expectations.h"

namespace kite::controllers::podcontrol {

ControllerExpectations::ControllerExpectations(const base::Clock& clock, std::chrono::seconds ttl)
    : clock_(clock), ttl_(ttl) {}

bool ControllerExpectations::satisfied(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return true;
  const Entry& e = it->second;
  if (e.add <= 0 && e.del <= 0) return true;
  return clock_.now() - e.timestamp > ttl_;
}

void ControllerExpectations::expect_creations(const std::string& key, int count) {
  std::lock_guard lock(mu_);
  Entry& e = entries_[key];
  e.add = count;
  e.del = 0;
  e.deleting.clear();
  e.timestamp = clock_.now();
}

void ControllerExpectations::expect_deletions(const std::string& key, const std::vector<std::string>& pod_keys) {
  std::lock_guard lock(mu_);
  Entry& e = entries_[key];
  e.add = 0;
  e.deleting = std::set<std::string>(pod_keys.begin(), pod_keys.end());
  e.del = static_cast<int>(pod_keys.size());
  e.timestamp = clock_.now();
}

void ControllerExpectations::creation_observed(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end()) --it->second.add;
}

void ControllerExpectations::deletion_observed(const std::string& key, const std::string& pod_key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  if (it->second.deleting.erase(pod_key) > 0) --it->second.del;
}

void ControllerExpectations::delete_expectations(const std::string& key) {
  std::lock_guard lock(mu_);
  entries_.erase(key);
}

int ControllerExpectations::pending_creations(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  return it == entries_.end() ? 0 : it->second.add;
}

int ControllerExpectations::pending_deletions(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  return it == entries_.end() ? 0 : it->second.del;
}

}  // namespace kite::controllers::podcontrol
