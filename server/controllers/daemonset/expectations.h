// Expectations: how many pod creations and deletions a controller has issued for a key and not
// yet seen come back through its informer (upstream ControllerExpectations). While some are
// outstanding the controller must not act on its (stale) cache again, or it would create
// duplicate pods. An expectation older than 5 minutes counts as fulfilled, so a lost watch
// event cannot wedge a key. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "base/clock.h"

namespace kite::controllers::daemonset {

class Expectations {
 public:
  explicit Expectations(const base::Clock& clock) : clock_(clock) {}
  void set(const std::string& key, int64_t adds, int64_t deletes);
  void lower(const std::string& key, int64_t adds, int64_t deletes);
  void creation_observed(const std::string& key) { lower(key, 1, 0); }
  void deletion_observed(const std::string& key) { lower(key, 0, 1); }
  bool satisfied(const std::string& key) const;
  void forget(const std::string& key);

 private:
  struct Entry {
    int64_t adds = 0, deletes = 0;
    base::Clock::time_point set_at;
  };
  const base::Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace kite::controllers::daemonset
