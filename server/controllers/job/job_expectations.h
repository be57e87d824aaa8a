// What the Job controller has asked the API for and not yet seen in its pod informer, per Job
// key, so that a sync does not act on a stale cache (create the same pods twice, or count a
// pod twice because its removed finalizer is not visible yet):
//   - pod creations (a count), pod deletions (pod keys),
//   - tracking-finalizer removals (pod uids): until the informer shows the pod without the
//     finalizer (or gone), the pod is treated as already counted.
// Creation/deletion expectations expire after 5 minutes, as upstream's.
//
// Also the pod failure backoff record per Job (failures since the last success and when the
// last one happened), which delays creating replacement pods by 10 s * 2^(n-1), at most 6 min.
//
// Thread-safe (one mutex); informer threads observe, workers expect and read.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace kite::controllers::job {

using time_point = std::chrono::system_clock::time_point;

class JobExpectations {
 public:
  void expect_creations(const std::string& job, int n, time_point now);
  void creation_observed(const std::string& job);
  void expect_deletion(const std::string& job, const std::string& pod_key, time_point now);
  void deletion_observed(const std::string& job, const std::string& pod_key);
  // True when no creation/deletion is outstanding (or they are older than 5 minutes).
  bool satisfied(const std::string& job, time_point now) const;

  void expect_finalizer_removal(const std::string& job, const std::string& pod_uid);
  void finalizer_removal_observed(const std::string& job, const std::string& pod_uid);
  std::set<std::string> pending_finalizer_removals(const std::string& job) const;

  void forget(const std::string& job);

 private:
  struct Entry {
    int adds = 0;
    std::set<std::string> deletes;
    time_point set_at{};
    std::set<std::string> finalizers;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

struct BackoffRecord {
  int failures_after_last_success = 0;
  std::optional<time_point> last_failure_time;
  // How long to wait before creating pods again (zero when no wait is due).
  std::chrono::nanoseconds remaining(time_point now) const;
};

class BackoffStore {
 public:
  BackoffRecord get(const std::string& job) const;
  void set(const std::string& job, const BackoffRecord& r);
  void forget(const std::string& job);

 private:
  mutable std::mutex mu_;
  std::map<std::string, BackoffRecord> records_;
};

}  // namespace kite::controllers::job
