// ControllerExpectations: how many creations and which deletions a controller is still waiting
// to observe through its informer, per controller key, so that a sync does not act twice on a
// cache that has not caught up with its own writes (Kubernetes'
// UIDTrackingControllerExpectations).
//
// A sync that creates N pods calls expect_creations(key, N); the pod informer's add handler
// calls creation_observed(key) for each pod it sees with that controller; a failed create
// lowers the count itself. Deletions are tracked by pod key ("ns/name"): expect_deletions()
// records them and deletion_observed(key, pod_key) (delete handler, or update with a
// deletionTimestamp) counts each one at most once. satisfied(key) is true when nothing is
// outstanding, when no expectations were ever set, or when they are older than the TTL
// (5 minutes, as upstream) measured on the injected clock.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"

namespace kite::controllers::podcontrol {

class ControllerExpectations {
 public:
  explicit ControllerExpectations(const base::Clock& clock,
                                  std::chrono::seconds ttl = std::chrono::seconds(5 * 60));

  bool satisfied(const std::string& key) const;
  void expect_creations(const std::string& key, int count);
  void expect_deletions(const std::string& key, const std::vector<std::string>& pod_keys);
  void creation_observed(const std::string& key);
  void deletion_observed(const std::string& key, const std::string& pod_key);
  // Forgets the key (its controller was deleted).
  void delete_expectations(const std::string& key);

  // For tests and logs: outstanding creations/deletions (0 when none recorded).
  int pending_creations(const std::string& key) const;
  int pending_deletions(const std::string& key) const;

 private:
  struct Entry {
    int add = 0;
    int del = 0;
    std::set<std::string> deleting;  // pod keys whose deletion is still expected
    base::Clock::time_point timestamp;
  };
  const base::Clock& clock_;
  std::chrono::seconds ttl_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace kite::controllers::podcontrol
