// RevisionCoalescer: shares one datastore round trip among concurrent "current revision?"
// questions.
//
// A consistent read must see every write that finished before it arrived, so it needs a
// revision read from the store after it arrived. Any fetch that *started* after a caller
// arrived qualifies, so callers arriving while a fetch is in flight wait for the next one,
// and everyone waiting is answered by it: under load, one round trip serves many reads.
// Thread-safe; the fetch function is called by one caller at a time.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

#include "base/status.h"

namespace kite::apiserver {

class RevisionCoalescer {
 public:
  explicit RevisionCoalescer(std::function<base::Result<int64_t>()> fetch) : fetch_(std::move(fetch)) {}

  // A store revision read after this call began.
  base::Result<int64_t> latest() {
    std::unique_lock lock(mu_);
    const uint64_t ticket = ++arrivals_;
    for (;;) {
      if (done_covers_ >= ticket) return done_result_;
      if (!in_flight_) {
        in_flight_ = true;
        const uint64_t covers = arrivals_;  // everyone who arrived before this fetch starts
        lock.unlock();
        auto result = fetch_();
        lock.lock();
        in_flight_ = false;
        done_covers_ = covers;
        done_result_ = std::move(result);
        cv_.notify_all();
        continue;
      }
      cv_.wait(lock);
    }
  }

 private:
  std::function<base::Result<int64_t>()> fetch_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t arrivals_ = 0;
  bool in_flight_ = false;
  uint64_t done_covers_ = 0;
  base::Result<int64_t> done_result_;
};

}  // namespace kite::apiserver
