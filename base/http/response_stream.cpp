#include "base/http/response_stream.h"

namespace kite::base::http {

ResponseStream::ResponseStream(size_t max_queued_bytes) : max_bytes_(max_queued_bytes) {}

bool ResponseStream::push(std::string bytes) {
  return push(Frame{std::make_shared<const std::string>(std::move(bytes))});
}

bool ResponseStream::push(Frame frame) {
  std::vector<std::function<void()>> run_after;
  bool ok = true;
  {
    std::lock_guard lock(mu_);
    if (closed_) return false;
    size_t size = 0;
    for (const auto& piece : frame) size += piece->size();
    if (queued_bytes_ + size > max_bytes_) {
      // Slow consumer: drop it rather than buffer without bound.
      closed_ = true;
      frames_.clear();
      queued_bytes_ = 0;
      finish_locked(&run_after);
      ok = false;
    } else {
      queued_bytes_ += size;
      frames_.push_back(std::move(frame));
      if (notify_) run_after.push_back(notify_);
    }
  }
  for (auto& fn : run_after) fn();
  return ok;
}

void ResponseStream::close() {
  std::vector<std::function<void()>> run_after;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    closed_ = true;
    finish_locked(&run_after);
  }
  for (auto& fn : run_after) fn();
}

void ResponseStream::abort() {
  std::vector<std::function<void()>> run_after;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    frames_.clear();
    queued_bytes_ = 0;
    notify_ = nullptr;
    finish_locked(&run_after);
  }
  for (auto& fn : run_after) fn();
}

void ResponseStream::finish_locked(std::vector<std::function<void()>>* run_after) {
  if (notify_) run_after->push_back(notify_);
  if (!on_close_ran_ && on_close_) {
    on_close_ran_ = true;
    run_after->push_back(std::move(on_close_));
    on_close_ = nullptr;
  }
}

bool ResponseStream::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

void ResponseStream::set_deadline(std::chrono::steady_clock::time_point deadline) {
  std::lock_guard lock(mu_);
  deadline_ = deadline;
}

std::optional<std::chrono::steady_clock::time_point> ResponseStream::deadline() const {
  std::lock_guard lock(mu_);
  return deadline_;
}

void ResponseStream::set_on_close(std::function<void()> fn) {
  bool run_now = false;
  {
    std::lock_guard lock(mu_);
    if (closed_ && !on_close_ran_) {
      on_close_ran_ = true;
      run_now = true;
    } else {
      on_close_ = std::move(fn);
    }
  }
  if (run_now) fn();
}

void ResponseStream::set_notifier(std::function<void()> notify) {
  std::lock_guard lock(mu_);
  notify_ = std::move(notify);
}

std::vector<Frame> ResponseStream::take(bool* done) {
  std::lock_guard lock(mu_);
  std::vector<Frame> out(std::make_move_iterator(frames_.begin()),
                         std::make_move_iterator(frames_.end()));
  frames_.clear();
  queued_bytes_ = 0;
  *done = closed_;
  return out;
}

}  // namespace kite::base::http
