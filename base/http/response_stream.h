// ResponseStream: a chunked response body produced over time by any thread and written to
// the client by the connection that owns it (watch streams, logs).
//
// Producers call push() with a frame (one or more shared, immutable byte strings written
// back to back as one HTTP chunk); the same bytes may be pushed to many streams (a watch event
// encoded once for every watcher). The queue is bounded: when a push would exceed
// `max_queued_bytes` the stream is closed instead of buffering without bound, so a slow
// client is dropped rather than stalling the producer. close() ends the response after the
// queued frames are written. When the client goes away or the stream is closed, the
// on_close callback (if set) runs once, on whichever thread noticed.
//
// Thread-safe. The connection side (pop/wait) is used only by the HTTP server.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace kite::base::http {

using Frame = std::vector<std::shared_ptr<const std::string>>;

class ResponseStream {
 public:
  explicit ResponseStream(size_t max_queued_bytes = 8 << 20);

  // Queues a frame. Returns false (and drops it) when the stream is closed; closes the stream
  // and returns false when the queue would exceed its bound.
  bool push(Frame frame);
  bool push(std::string bytes);
  // Ends the stream after the queued frames; idempotent.
  void close();
  bool closed() const;
  // The stream ends by itself at this time (watch timeoutSeconds); unset = no deadline.
  void set_deadline(std::chrono::steady_clock::time_point deadline);
  std::optional<std::chrono::steady_clock::time_point> deadline() const;
  // Runs once when the stream ends for any reason (client gone, closed, overflow, deadline).
  void set_on_close(std::function<void()> fn);

  // --- connection side ---
  // Registers the function that wakes the connection when frames arrive or the stream closes.
  void set_notifier(std::function<void()> notify);
  // Takes every queued frame. `done` is set when the stream is closed and nothing remains.
  std::vector<Frame> take(bool* done);
  // Called by the connection when the client is gone or writing failed.
  void abort();

 private:
  void finish_locked(std::vector<std::function<void()>>* run_after);

  mutable std::mutex mu_;
  size_t max_bytes_;
  size_t queued_bytes_ = 0;
  std::deque<Frame> frames_;
  bool closed_ = false;
  bool on_close_ran_ = false;
  std::function<void()> on_close_;
  std::function<void()> notify_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
};

}  // namespace kite::base::http
