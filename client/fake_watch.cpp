// FakeWatch: one FakeClient watch, a queue of events drained by next().
#include "client/fake_client_state.h"

namespace kite::client::fake {

std::optional<WatchEvent> FakeWatch::next() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return closed_ || !events_.empty(); });
  if (events_.empty()) return std::nullopt;
  WatchEvent e = std::move(events_.front());
  events_.pop_front();
  return e;
}

void FakeWatch::stop() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    events_.clear();
  }
  cv_.notify_all();
}

void FakeWatch::push(WatchEvent event) {
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    events_.push_back(std::move(event));
  }
  cv_.notify_all();
}

void FakeWatch::close(std::optional<WatchEvent> last) {
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    if (last) events_.push_back(std::move(*last));
    closed_ = true;
  }
  cv_.notify_all();
}

bool FakeWatch::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

}  // namespace kite::client::fake
