// Helpers shared by the kv tests: polling with a deadline, a thread-safe recorder of watch
// updates, and a scratch directory that removes itself.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/kv/store.h"

namespace kite::kv::testing {

// Polls `pred` (at most every 10 ms) until it is true or `timeout` passes.
inline bool eventually(const std::function<bool()>& pred,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Collects watch updates from the store's callback thread.
class Recorder {
 public:
  std::function<void(WatchUpdate)> callback() {
    return [this](WatchUpdate u) {
      std::lock_guard lk(mu_);
      updates_.push_back(std::move(u));
      cv_.notify_all();
    };
  }
  std::vector<WatchUpdate> updates() {
    std::lock_guard lk(mu_);
    return updates_;
  }
  std::vector<Event> events() {
    std::lock_guard lk(mu_);
    std::vector<Event> out;
    for (const auto& u : updates_) out.insert(out.end(), u.events.begin(), u.events.end());
    return out;
  }
  // Waits until `pred(updates)` holds.
  bool wait(const std::function<bool(const std::vector<WatchUpdate>&)>& pred,
            std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lk(mu_);
    return cv_.wait_for(lk, timeout, [&] { return pred(updates_); });
  }
  bool wait_events(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return wait(
        [n](const std::vector<WatchUpdate>& us) {
          size_t total = 0;
          for (const auto& u : us) total += u.events.size();
          return total >= n;
        },
        timeout);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<WatchUpdate> updates_;
};

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kite-kv-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace kite::kv::testing
