// EtcdWatchStream: every kv::Watch of one EtcdStore, multiplexed on one bidirectional etcd
// Watch stream (each kv::Watch is one client-chosen watch_id on it).
//
// A reader thread owns the stream: it opens it, (re)creates every registered watch from the
// revision after the last one handed to its callback, reads responses and queues updates.
// When the stream fails (etcd killed, network cut) it reconnects with backoff (100 ms
// doubling to 2 s), rotating through the endpoints; a watch whose resume revision was
// compacted meanwhile gets a Gone update. A dispatcher thread runs the callbacks one at a
// time, in arrival order (revision order per watch).
//
// Progress: request_progress() sends a WatchProgressRequest. etcd 3.4 answers it with one
// response for the whole stream (watch_id -1), which is delivered to every created watch as an
// update with no events and the header revision.
//
// Thread safety: all public methods are thread-safe; add() must not be called from a
// callback with a timeout longer than you are willing to block the dispatcher.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include <grpcpp/channel.h>

#include "proto/etcd/rpc.pb.h"

#include "server/kv/store.h"

namespace kite::kv::etcd {

class EtcdWatchStream {
 public:
  // `channel_for(attempt)` returns the channel to use for the attempt-th connection.
  using ChannelPicker = std::function<std::shared_ptr<grpc::Channel>(int attempt)>;

  EtcdWatchStream(ChannelPicker channel_for, std::chrono::milliseconds create_timeout);
  ~EtcdWatchStream();  // stops both threads; pending callbacks are dropped
  EtcdWatchStream(const EtcdWatchStream&) = delete;
  EtcdWatchStream& operator=(const EtcdWatchStream&) = delete;

  // Registers a watch and waits (up to the create timeout) until etcd confirms it, so
  // every change after this returns is seen. ServiceUnavailable/Timeout if etcd does not
  // answer in time.
  Result<int64_t> add(const WatchRequest& req, std::function<void(WatchUpdate)> callback);
  // Stops delivery for `id`; when it returns no callback of that watch runs or will run
  // (unless called from that watch's own callback).
  void cancel(int64_t id);
  void request_progress();

 private:
  struct Entry;
  struct Stream;

  void reader_loop();
  void dispatch_loop();
  void run_stream(const std::shared_ptr<Stream>& stream);
  void handle(const std::shared_ptr<Stream>& stream, const etcdserverpb::WatchResponse& resp);
  void defer_progress(const Entry& e);
  void enqueue(const std::shared_ptr<Entry>& entry, WatchUpdate update);
  bool write(const std::shared_ptr<Stream>& stream, const etcdserverpb::WatchRequest& req);
  void send_cancel(const std::shared_ptr<Stream>& stream, int64_t id);

  ChannelPicker channel_for_;
  std::chrono::milliseconds create_timeout_;

  std::mutex mu_;
  std::condition_variable cv_;  // creation results, queue, idle, stop
  bool stopping_ = false;
  int64_t next_id_ = 1;
  std::map<int64_t, std::shared_ptr<Entry>> watches_;
  std::shared_ptr<Stream> current_;  // null while disconnected
  uint64_t generation_ = 0;
  bool progress_wanted_ = false;     // a progress request to send once connected
  // A progress report arrived before it could be trusted (see Entry::progress_trusted): the
  // dispatcher asks again at this time.
  std::optional<std::chrono::steady_clock::time_point> progress_retry_at_;
  bool generation_healthy_ = false;  // the current stream delivered at least one response
  std::deque<std::pair<std::shared_ptr<Entry>, WatchUpdate>> queue_;
  int64_t delivering_ = 0;

  std::thread reader_;
  std::thread dispatcher_;
};

}  // namespace kite::kv::etcd
