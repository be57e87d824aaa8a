#include "server/controllers/job/job_expectations.h"

namespace kite::controllers::job {

namespace {
constexpr auto kExpectationsTimeout = std::chrono::minutes(5);
constexpr auto kDefaultBackoff = std::chrono::seconds(10);
constexpr auto kMaxBackoff = std::chrono::minutes(6);
}  // namespace

void JobExpectations::expect_creations(const std::string& job, int n, time_point now) {
  std::lock_guard lock(mu_);
  auto& e = entries_[job];
  e.adds += n;
  e.set_at = now;
}

void JobExpectations::creation_observed(const std::string& job) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(job);
  if (it != entries_.end() && it->second.adds > 0) --it->second.adds;
}

void JobExpectations::expect_deletion(const std::string& job, const std::string& pod_key, time_point now) {
  std::lock_guard lock(mu_);
  auto& e = entries_[job];
  e.deletes.insert(pod_key);
  e.set_at = now;
}

void JobExpectations::deletion_observed(const std::string& job, const std::string& pod_key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(job);
  if (it != entries_.end()) it->second.deletes.erase(pod_key);
}

bool JobExpectations::satisfied(const std::string& job, time_point now) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(job);
  if (it == entries_.end()) return true;
  const Entry& e = it->second;
  if (e.adds <= 0 && e.deletes.empty()) return true;
  return now - e.set_at > kExpectationsTimeout;
}

void JobExpectations::expect_finalizer_removal(const std::string& job, const std::string& pod_uid) {
  std::lock_guard lock(mu_);
  entries_[job].finalizers.insert(pod_uid);
}

void JobExpectations::finalizer_removal_observed(const std::string& job, const std::string& pod_uid) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(job);
  if (it != entries_.end()) it->second.finalizers.erase(pod_uid);
}

std::set<std::string> JobExpectations::pending_finalizer_removals(const std::string& job) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(job);
  return it == entries_.end() ? std::set<std::string>{} : it->second.finalizers;
}

void JobExpectations::forget(const std::string& job) {
  std::lock_guard lock(mu_);
  entries_.erase(job);
}

std::chrono::nanoseconds BackoffRecord::remaining(time_point now) const {
  if (failures_after_last_success == 0 || !last_failure_time) return std::chrono::nanoseconds(0);
  std::chrono::nanoseconds backoff = kDefaultBackoff;
  for (int i = 1; i < failures_after_last_success; ++i) {
    backoff *= 2;
    if (backoff >= kMaxBackoff) {
      backoff = kMaxBackoff;
      break;
    }
  }
  auto elapsed = now - *last_failure_time;
  if (backoff < elapsed) return std::chrono::nanoseconds(0);
  return backoff - elapsed;
}

BackoffRecord BackoffStore::get(const std::string& job) const {
  std::lock_guard lock(mu_);
  auto it = records_.find(job);
  return it == records_.end() ? BackoffRecord{} : it->second;
}

void BackoffStore::set(const std::string& job, const BackoffRecord& r) {
  std::lock_guard lock(mu_);
  records_[job] = r;
}

void BackoffStore::forget(const std::string& job) {
  std::lock_guard lock(mu_);
  records_.erase(job);
}

}  // namespace kite::controllers::job
