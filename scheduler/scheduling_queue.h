// SchedulingQueue: the pods waiting to be scheduled, in kube-scheduler's three parts:
//   active        ready now, highest spec.priority first, then first come;
//   backoff       failed recently; wait 1 s doubling per attempt up to 10 s, then active;
//   unschedulable no node fit; they stay until a cluster event that may help them (a node
//                 added or changed, an assigned pod deleted, ...) moves them, or until they
//                 have waited `unschedulable_timeout` (60 s) and flush() moves them anyway.
// Pods with scheduling gates wait (gated) until an update removes the gates.
//
// A pod popped for scheduling is "in flight" until done(); if a move event arrives while it
// is in flight and it then turns out unschedulable, it goes to backoff instead of
// unschedulable, so the event is not lost (kube-scheduler's moveRequestCycle).
//
// Time comes from the injected clock; flush() must be called periodically (the Scheduler's
// flush thread does) to promote backoff and timed-out unschedulable pods. Thread-safe; pop()
// blocks until a pod is active or close() is called.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/clock.h"
#include "scheduler/pod_info.h"

namespace kite::scheduler {

struct QueuedPod {
  PodInfoPtr pod;
  int attempts = 0;  // scheduling attempts so far (incremented by pop)
  int64_t cycle = 0;  // the scheduling cycle of the last pop
};

struct SchedulingQueueOptions {
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{10000};
  std::chrono::milliseconds unschedulable_timeout{60000};
};

class SchedulingQueue {
 public:
  explicit SchedulingQueue(const base::Clock& clock, SchedulingQueueOptions options = {});

  // A new pending pod (or one seen again): to active (or gated).
  void add(PodInfoPtr pod);
  // The pod changed. In active/backoff the info is replaced; an unschedulable or gated pod
  // whose spec or labels changed moves to active/backoff; a pod not queued is added.
  void update(PodInfoPtr pod);
  void remove(const std::string& key);

  // Blocks for the next active pod; nullopt after close().
  std::optional<QueuedPod> pop();
  // The scheduling attempt of a popped pod failed because no node fits. `plugins` are the
  // plugins that rejected nodes (empty: any event may help).
  void add_unschedulable(QueuedPod qp, std::set<std::string> plugins);
  // The attempt failed for another reason (API error, binding failure): retry after backoff.
  void add_backoff(QueuedPod qp);
  // The popped pod is finished with (bound, or deleted); forgets its attempt count.
  void done(const std::string& key);

  // A cluster event that may make pods rejected by any of `plugins` schedulable: moves those
  // unschedulable pods (and those rejected by no plugin) to active or backoff.
  void move_for_event(const std::vector<std::string>& plugins);
  // Moves every unschedulable pod (e.g. a node was added).
  void move_all();
  // Promotes backoff pods whose time is up and unschedulable pods older than the timeout.
  void flush();

  // close() wakes pop() callers with nullopt until reopen().
  void close();
  void reopen();

  size_t active_size() const;
  size_t backoff_size() const;
  size_t unschedulable_size() const;
  bool contains(const std::string& key) const;

 private:
  enum class Where { kActive, kBackoff, kUnschedulable, kGated, kInFlight };
  struct Entry {
    QueuedPod qp;
    Where where = Where::kActive;
    uint64_t seq = 0;                     // active ordering among equal priorities
    base::Clock::time_point since;        // entered backoff / unschedulable
    std::set<std::string> plugins;        // unschedulable: rejecting plugins
    bool updated_in_flight = false;       // an update arrived while in flight
  };
  using ActiveKey = std::tuple<int32_t, uint64_t, std::string>;  // (-priority, seq, key)

  void to_active_locked(Entry& e, const std::string& key);
  void to_backoff_or_active_locked(Entry& e, const std::string& key);
  void detach_locked(Entry& e, const std::string& key);
  std::chrono::system_clock::duration backoff_duration(int attempts) const;
  void move_locked(const std::vector<std::string>* plugins);

  const base::Clock& clock_;
  SchedulingQueueOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
  uint64_t seq_ = 0;
  int64_t scheduling_cycle_ = 0;
  int64_t move_request_cycle_ = -1;
  std::unordered_map<std::string, Entry> entries_;
  std::set<ActiveKey> active_;
  std::unordered_set<std::string> unschedulable_keys_;  // so events scan only these
};

}  // namespace kite::scheduler
