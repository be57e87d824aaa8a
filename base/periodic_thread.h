// PeriodicThread: runs a function every `interval` on its own thread until stopped.
// stop() wakes the thread at once and joins it; the function is never running after stop()
// returns. start() and stop() are called from one owning thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace kite::base {

class PeriodicThread {
 public:
  PeriodicThread() = default;
  ~PeriodicThread() { stop(); }
  PeriodicThread(const PeriodicThread&) = delete;
  PeriodicThread& operator=(const PeriodicThread&) = delete;

  void start(std::chrono::milliseconds interval, std::function<void()> fn) {
    stopping_ = false;
    thread_ = std::thread([this, interval, fn = std::move(fn)] {
      for (;;) {
        {
          std::unique_lock lock(mu_);
          if (cv_.wait_for(lock, interval, [this] { return stopping_.load(); })) return;
        }
        fn();
      }
    });
  }

  void stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  bool stopping() const { return stopping_; }

 private:
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace kite::base
