// WorkQueue: the keys a controller still has to sync, deduplicated, with delayed and
// rate-limited (per-item exponential backoff) re-adds.
//
// A key is never handed to two workers at once: a key added while it is being processed is
// marked dirty and handed out again after done(). add_rate_limited() delays the key by
// base_delay * 2^(failures), capped at max_delay (5 ms .. 1000 s by default, as client-go);
// forget() resets the failure count after a successful sync.
//
// Thread-safe. get() blocks until a key is ready or shut_down() is called. Delays are measured
// on std::chrono::steady_clock (real time) by an internal timer thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace kite::client {

struct WorkQueueOptions {
  std::chrono::milliseconds base_delay{5};
  std::chrono::milliseconds max_delay{1000 * 1000};
};

class WorkQueue {
 public:
  explicit WorkQueue(WorkQueueOptions options = {});
  ~WorkQueue();  // shuts down
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void add(const std::string& key);
  void add_after(const std::string& key, std::chrono::milliseconds delay);
  void add_rate_limited(const std::string& key);
  void forget(const std::string& key);
  int num_requeues(const std::string& key) const;

  // The next key to process (nullopt after shut_down()). Call done(key) when finished.
  std::optional<std::string> get();
  void done(const std::string& key);

  void shut_down();
  bool shutting_down() const;
  size_t length() const;  // keys ready now (not counting delayed or in-flight keys)

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace kite::client
