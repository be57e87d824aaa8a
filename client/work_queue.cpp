// WorkQueue: client-go's workqueue semantics (queue + dirty set + processing set), a delaying
// layer (a min-heap drained by one timer thread) and per-item exponential failure backoff.
#include "client/work_queue.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <queue>
#include <set>
#include <thread>
#include <vector>

namespace kite::client {

namespace {
using SteadyTime = std::chrono::steady_clock::time_point;

struct Delayed {
  SteadyTime when;
  uint64_t seq;
  std::string key;
  bool operator>(const Delayed& o) const { return when != o.when ? when > o.when : seq > o.seq; }
};
}  // namespace

struct WorkQueue::State {
  WorkQueueOptions options;
  mutable std::mutex mu;
  std::condition_variable ready_cv;  // get() waiters
  std::condition_variable timer_cv;  // the timer thread
  std::deque<std::string> queue;
  std::set<std::string> dirty;       // queued, or re-added while processing
  std::set<std::string> processing;  // handed out, done() not yet called
  std::map<std::string, int> failures;
  std::priority_queue<Delayed, std::vector<Delayed>, std::greater<>> delayed;
  std::map<std::string, SteadyTime> waiting;  // earliest ready time per delayed key
  uint64_t seq = 0;
  bool shutting_down = false;
  std::thread timer;

  // Requires mu.
  void add_locked(const std::string& key) {
    if (shutting_down) return;
    if (!dirty.insert(key).second) return;
    if (processing.count(key)) return;  // handed out again after done()
    queue.push_back(key);
    ready_cv.notify_one();
  }

  void add_after_locked(const std::string& key, std::chrono::milliseconds delay) {
    if (shutting_down) return;
    if (delay <= std::chrono::milliseconds(0)) {
      add_locked(key);
      return;
    }
    SteadyTime when = std::chrono::steady_clock::now() + delay;
    auto it = waiting.find(key);
    if (it != waiting.end() && it->second <= when) return;  // already due earlier
    waiting[key] = when;
    bool new_front = delayed.empty() || when < delayed.top().when;
    delayed.push({when, seq++, key});
    if (new_front) timer_cv.notify_one();
  }

  void run_timer() {
    std::unique_lock lock(mu);
    while (!shutting_down) {
      if (delayed.empty()) {
        timer_cv.wait(lock);
        continue;
      }
      auto now = std::chrono::steady_clock::now();
      if (delayed.top().when > now) {
        timer_cv.wait_until(lock, delayed.top().when);
        continue;
      }
      Delayed d = delayed.top();
      delayed.pop();
      auto it = waiting.find(d.key);
      if (it == waiting.end() || it->second != d.when) continue;  // superseded by an earlier entry
      waiting.erase(it);
      add_locked(d.key);
    }
  }
};

WorkQueue::WorkQueue(WorkQueueOptions options) : state_(std::make_unique<State>()) {
  state_->options = options;
  state_->timer = std::thread([s = state_.get()] { s->run_timer(); });
}

WorkQueue::~WorkQueue() {
  shut_down();
  if (state_->timer.joinable()) state_->timer.join();
}

void WorkQueue::add(const std::string& key) {
  std::lock_guard lock(state_->mu);
  state_->add_locked(key);
}

void WorkQueue::add_after(const std::string& key, std::chrono::milliseconds delay) {
  std::lock_guard lock(state_->mu);
  state_->add_after_locked(key, delay);
}

void WorkQueue::add_rate_limited(const std::string& key) {
  std::lock_guard lock(state_->mu);
  int exp = state_->failures[key]++;
  // base * 2^exp, capped; computed in double so large exponents cannot overflow.
  double ms = static_cast<double>(state_->options.base_delay.count());
  double cap = static_cast<double>(state_->options.max_delay.count());
  for (int i = 0; i < exp && ms < cap; ++i) ms *= 2;
  ms = std::min(ms, cap);
  state_->add_after_locked(key, std::chrono::milliseconds(static_cast<int64_t>(ms)));
}

void WorkQueue::forget(const std::string& key) {
  std::lock_guard lock(state_->mu);
  state_->failures.erase(key);
}

int WorkQueue::num_requeues(const std::string& key) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->failures.find(key);
  return it == state_->failures.end() ? 0 : it->second;
}

std::optional<std::string> WorkQueue::get() {
  std::unique_lock lock(state_->mu);
  state_->ready_cv.wait(lock, [&] { return state_->shutting_down || !state_->queue.empty(); });
  if (state_->shutting_down) return std::nullopt;
  std::string key = std::move(state_->queue.front());
  state_->queue.pop_front();
  state_->processing.insert(key);
  state_->dirty.erase(key);
  return key;
}

void WorkQueue::done(const std::string& key) {
  std::lock_guard lock(state_->mu);
  bool was_processing = state_->processing.erase(key) > 0;
  if (was_processing && state_->dirty.count(key) && !state_->shutting_down) {
    state_->queue.push_back(key);
    state_->ready_cv.notify_one();
  }
}

void WorkQueue::shut_down() {
  {
    std::lock_guard lock(state_->mu);
    state_->shutting_down = true;
  }
  state_->ready_cv.notify_all();
  state_->timer_cv.notify_all();
}

bool WorkQueue::shutting_down() const {
  std::lock_guard lock(state_->mu);
  return state_->shutting_down;
}

size_t WorkQueue::length() const {
  std::lock_guard lock(state_->mu);
  return state_->queue.size();
}

}  // namespace kite::client
