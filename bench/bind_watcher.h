// BindWatcher: watches the pods of one namespace and records, for each pod, the moment the
// benchmark first saw it bound (spec.nodeName set), so that scheduling throughput and
// create-to-bind latency can be computed from the watch rather than from polling.
//
// Times are std::chrono::steady_clock readings taken when the event is read. The watch runs
// on its own thread from start() until stop(); it re-watches from the last resourceVersion
// when the server ends the stream. Public methods are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "client/client.h"

namespace kite::bench {

class BindWatcher {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  BindWatcher(client::Client& client, std::string ns);
  ~BindWatcher();  // stop()
  // Lists the namespace (to get a resourceVersion) and starts watching; false on error.
  bool start();
  void stop();

  // Waits until `count` pods have been seen bound or the timeout passes; returns how many were.
  size_t wait_bound(size_t count, std::chrono::milliseconds timeout);
  size_t bound() const;
  // name -> when first seen bound.
  std::unordered_map<std::string, time_point> bind_times() const;
  time_point last_bind() const;

 private:
  void run();
  // After a watch error (410 Gone): list again, count the bound pods not yet seen.
  void relist();

  client::Client& client_;
  std::string ns_;
  std::string resource_version_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::unique_ptr<client::WatchStream> stream_;  // guarded by mu_
  std::unordered_map<std::string, time_point> bound_;
  time_point last_bind_{};
};

}  // namespace kite::bench
