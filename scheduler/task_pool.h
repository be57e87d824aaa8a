// TaskPool: a few threads running posted tasks in FIFO order: the scheduler's binder pool
// (bindings and status writes go out without holding up the scheduling loop, like
// kube-scheduler's asynchronous binding cycle).
//
// post() from any thread; drain_and_stop() runs what is queued, then joins. Internal to
// scheduler/.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace kite::scheduler {

class TaskPool {
 public:
  explicit TaskPool(int threads) {
    for (int i = 0; i < (threads > 0 ? threads : 1); ++i) threads_.emplace_back([this] { run(); });
  }
  ~TaskPool() { drain_and_stop(); }
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  void post(std::function<void()> task) {
    {
      std::lock_guard lock(mu_);
      tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
  }

  void drain_and_stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
    threads_.clear();
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace kite::scheduler
