#include "scheduler/scheduling_queue.h"

namespace kite::scheduler {
namespace {

// Whether an update of a waiting pod may change its scheduling outcome: its spec or labels
// changed (status-only changes, like our own PodScheduled condition, do not count).
bool scheduling_relevant_change(const PodInfo& old_pod, const PodInfo& new_pod) {
  if (old_pod.labels != new_pod.labels || old_pod.gated != new_pod.gated) return true;
  if (!old_pod.object || !new_pod.object) return true;
  static const nlohmann::json kNull;
  auto spec = [](const nlohmann::json& o) -> const nlohmann::json& {
    auto it = o.find("spec");
    return it == o.end() ? kNull : *it;
  };
  return spec(*old_pod.object) != spec(*new_pod.object);
}

}  // namespace

SchedulingQueue::SchedulingQueue(const base::Clock& clock, SchedulingQueueOptions options)
    : clock_(clock), options_(options) {}

std::chrono::system_clock::duration SchedulingQueue::backoff_duration(int attempts) const {
  auto d = std::chrono::duration_cast<std::chrono::system_clock::duration>(options_.initial_backoff);
  auto max = std::chrono::duration_cast<std::chrono::system_clock::duration>(options_.max_backoff);
  for (int i = 1; i < attempts; ++i) {
    d *= 2;
    if (d > max) return max;
  }
  return d;
}

void SchedulingQueue::detach_locked(Entry& e, const std::string& key) {
  if (e.where == Where::kActive) active_.erase({-e.qp.pod->priority, e.seq, key});
  if (e.where == Where::kUnschedulable) unschedulable_keys_.erase(key);
}

void SchedulingQueue::to_active_locked(Entry& e, const std::string& key) {
  detach_locked(e, key);
  e.where = Where::kActive;
  e.seq = ++seq_;
  active_.insert({-e.qp.pod->priority, e.seq, key});
  cv_.notify_one();
}

void SchedulingQueue::to_backoff_or_active_locked(Entry& e, const std::string& key) {
  if (clock_.now() < e.since + backoff_duration(e.qp.attempts)) {
    detach_locked(e, key);
    e.where = Where::kBackoff;
  } else {
    to_active_locked(e, key);
  }
}

void SchedulingQueue::add(PodInfoPtr pod) { update(std::move(pod)); }

void SchedulingQueue::update(PodInfoPtr pod) {
  std::lock_guard lock(mu_);
  const std::string key = pod->key;
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    Entry& e = entries_[key];
    e.qp.pod = std::move(pod);
    e.since = clock_.now();
    if (e.qp.pod->gated) {
      e.where = Where::kGated;
    } else {
      to_active_locked(e, key);
    }
    return;
  }
  Entry& e = it->second;
  PodInfoPtr old = e.qp.pod;
  switch (e.where) {
    case Where::kInFlight:
      e.qp.pod = std::move(pod);
      e.updated_in_flight = true;
      break;
    case Where::kActive:
      detach_locked(e, key);
      e.qp.pod = std::move(pod);
      if (e.qp.pod->gated) {
        e.where = Where::kGated;
      } else {
        to_active_locked(e, key);
      }
      break;
    case Where::kBackoff:
      e.qp.pod = std::move(pod);
      if (e.qp.pod->gated) e.where = Where::kGated;
      break;
    case Where::kUnschedulable:
    case Where::kGated: {
      bool relevant = scheduling_relevant_change(*old, *pod);
      e.qp.pod = std::move(pod);
      if (!relevant) break;
      if (e.qp.pod->gated) {
        detach_locked(e, key);
        e.where = Where::kGated;
      } else if (e.where == Where::kGated) {
        to_active_locked(e, key);
      } else {
        to_backoff_or_active_locked(e, key);
      }
      break;
    }
  }
}

void SchedulingQueue::remove(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  detach_locked(it->second, key);
  entries_.erase(it);
}

std::optional<QueuedPod> SchedulingQueue::pop() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return closed_ || !active_.empty(); });
  if (closed_) return std::nullopt;
  auto first = active_.begin();
  const std::string key = std::get<2>(*first);
  active_.erase(first);
  Entry& e = entries_.at(key);
  e.where = Where::kInFlight;
  e.updated_in_flight = false;
  ++e.qp.attempts;
  e.qp.cycle = ++scheduling_cycle_;
  return e.qp;
}

void SchedulingQueue::add_unschedulable(QueuedPod qp, std::set<std::string> plugins) {
  std::lock_guard lock(mu_);
  const std::string key = qp.pod->key;
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    it = entries_.emplace(key, Entry{}).first;
    it->second.qp = qp;
    it->second.where = Where::kInFlight;
  }
  Entry& e = it->second;
  if (e.where != Where::kInFlight) return;  // re-added meanwhile: already queued
  e.qp.attempts = qp.attempts;
  e.since = clock_.now();
  e.plugins = std::move(plugins);
  if (e.updated_in_flight || move_request_cycle_ >= qp.cycle) {
    to_backoff_or_active_locked(e, key);
  } else {
    e.where = Where::kUnschedulable;
    unschedulable_keys_.insert(key);
  }
}

void SchedulingQueue::add_backoff(QueuedPod qp) {
  std::lock_guard lock(mu_);
  const std::string key = qp.pod->key;
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    it = entries_.emplace(key, Entry{}).first;
    it->second.qp = qp;
    it->second.where = Where::kInFlight;
  }
  Entry& e = it->second;
  if (e.where != Where::kInFlight) return;
  e.qp.attempts = std::max(e.qp.attempts, qp.attempts);
  e.since = clock_.now();
  e.where = Where::kBackoff;
}

void SchedulingQueue::done(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.where == Where::kInFlight) entries_.erase(it);
}

void SchedulingQueue::move_locked(const std::vector<std::string>* plugins) {
  move_request_cycle_ = scheduling_cycle_;
  if (unschedulable_keys_.empty()) return;
  std::vector<std::string> keys(unschedulable_keys_.begin(), unschedulable_keys_.end());
  for (const auto& key : keys) {
    Entry& e = entries_.at(key);
    bool hit = plugins == nullptr || e.plugins.empty();
    if (!hit)
      for (const auto& p : *plugins)
        if (e.plugins.count(p)) {
          hit = true;
          break;
        }
    if (hit) to_backoff_or_active_locked(e, key);
  }
}

void SchedulingQueue::move_for_event(const std::vector<std::string>& plugins) {
  std::lock_guard lock(mu_);
  move_locked(&plugins);
}

void SchedulingQueue::move_all() {
  std::lock_guard lock(mu_);
  move_locked(nullptr);
}

void SchedulingQueue::flush() {
  std::lock_guard lock(mu_);
  const auto now = clock_.now();
  for (auto& [key, e] : entries_) {
    if (e.where == Where::kBackoff && now >= e.since + backoff_duration(e.qp.attempts)) {
      to_active_locked(e, key);
    } else if (e.where == Where::kUnschedulable && now - e.since >= options_.unschedulable_timeout) {
      to_backoff_or_active_locked(e, key);
    }
  }
}

void SchedulingQueue::close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  cv_.notify_all();
}

void SchedulingQueue::reopen() {
  std::lock_guard lock(mu_);
  closed_ = false;
}

size_t SchedulingQueue::active_size() const {
  std::lock_guard lock(mu_);
  return active_.size();
}

size_t SchedulingQueue::backoff_size() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [k, e] : entries_)
    if (e.where == Where::kBackoff) ++n;
  return n;
}

size_t SchedulingQueue::unschedulable_size() const {
  std::lock_guard lock(mu_);
  size_t n = unschedulable_keys_.size();
  for (const auto& [k, e] : entries_)
    if (e.where == Where::kGated) ++n;
  return n;
}

bool SchedulingQueue::contains(const std::string& key) const {
  std::lock_guard lock(mu_);
  return entries_.count(key) > 0;
}

}  // namespace kite::scheduler
