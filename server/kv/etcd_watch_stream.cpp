#include "server/kv/etcd_watch_stream.h"

#include <grpcpp/client_context.h>

#include "base/log.h"
#include "proto/etcd/rpc.grpc.pb.h"
#include "server/kv/etcd_convert.h"

namespace kite::kv::etcd {

using base::Reason;

namespace {
constexpr auto kProgressTrustedAfter = std::chrono::seconds(1);
}  // namespace

struct EtcdWatchStream::Entry {
  int64_t id = 0;
  WatchRequest req;
  std::function<void(WatchUpdate)> callback;
  int64_t next_revision = 0;  // resume point; 0 = "from now" until the first creation
  uint64_t generation = 0;    // stream generation its create request was sent on
  bool created = false;       // confirmed on the current generation
  bool ever_created = false;
  bool finished = false;      // ended by etcd (compaction, error): no re-creation
  bool cancelled = false;     // cancelled by the user: nothing more is delivered
  // When etcd confirmed it on the current generation. etcd before 3.4.25 (Debian 12 ships
  // 3.4.23) may send a progress notification for a watch still catching up on history, i.e.
  // before events it has not sent yet (etcd issue 15220); trusting it would let a consistent
  // read miss a finished write. Progress is therefore ignored until the catch-up (etcd syncs
  // lagging watches every 100 ms) has surely happened.
  std::chrono::steady_clock::time_point created_at{};

  bool progress_trusted() const {
    return created && std::chrono::steady_clock::now() - created_at >= kProgressTrustedAfter;
  }
};

struct EtcdWatchStream::Stream {
  grpc::ClientContext ctx;  // declared first: must outlive rw
  std::unique_ptr<grpc::ClientReaderWriter<etcdserverpb::WatchRequest, etcdserverpb::WatchResponse>>
      rw;
  std::mutex write_mu;
  uint64_t generation = 0;
};

namespace {

etcdserverpb::WatchRequest create_request(int64_t id, const WatchRequest& req, int64_t start) {
  etcdserverpb::WatchRequest out;
  auto* c = out.mutable_create_request();
  c->set_key(req.key);
  c->set_range_end(req.range_end);
  c->set_start_revision(start);
  c->set_prev_kv(req.prev_kv);
  c->set_progress_notify(true);
  c->set_watch_id(id);
  return out;
}

}  // namespace

EtcdWatchStream::EtcdWatchStream(ChannelPicker channel_for,
                                 std::chrono::milliseconds create_timeout)
    : channel_for_(std::move(channel_for)), create_timeout_(create_timeout) {
  reader_ = std::thread([this] { reader_loop(); });
  dispatcher_ = std::thread([this] { dispatch_loop(); });
}

EtcdWatchStream::~EtcdWatchStream() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
    if (current_) current_->ctx.TryCancel();
    queue_.clear();
  }
  cv_.notify_all();
  reader_.join();
  dispatcher_.join();
}

bool EtcdWatchStream::write(const std::shared_ptr<Stream>& stream,
                            const etcdserverpb::WatchRequest& req) {
  std::lock_guard lk(stream->write_mu);
  if (!stream->rw) return false;
  return stream->rw->Write(req);
}

void EtcdWatchStream::send_cancel(const std::shared_ptr<Stream>& stream, int64_t id) {
  etcdserverpb::WatchRequest req;
  req.mutable_cancel_request()->set_watch_id(id);
  write(stream, req);
}

Result<int64_t> EtcdWatchStream::add(const WatchRequest& req,
                                     std::function<void(WatchUpdate)> callback) {
  auto entry = std::make_shared<Entry>();
  entry->req = req;
  entry->callback = std::move(callback);
  entry->next_revision = req.start_revision;
  std::shared_ptr<Stream> stream;
  {
    std::lock_guard lk(mu_);
    if (stopping_) return base::error(Reason::ServiceUnavailable, "etcd watch stream stopped");
    entry->id = next_id_++;
    watches_.emplace(entry->id, entry);
    if (current_) {
      stream = current_;
      entry->generation = stream->generation;
    }
  }
  if (stream) write(stream, create_request(entry->id, req, req.start_revision));

  std::unique_lock lk(mu_);
  bool ok = cv_.wait_for(lk, create_timeout_,
                         [&] { return entry->ever_created || entry->finished || stopping_; });
  if (entry->ever_created || entry->finished) return entry->id;  // errors go to the callback
  // Not confirmed in time: forget it (a late confirmation is cancelled by the reader).
  watches_.erase(entry->id);
  entry->cancelled = true;
  stream = current_;
  lk.unlock();
  if (stream) send_cancel(stream, entry->id);
  if (!ok) return base::error(Reason::ServiceUnavailable, "etcd did not confirm the watch in time");
  return base::error(Reason::ServiceUnavailable, "etcd watch stream stopped");
}

void EtcdWatchStream::cancel(int64_t id) {
  std::shared_ptr<Stream> stream;
  {
    std::unique_lock lk(mu_);
    auto it = watches_.find(id);
    if (it != watches_.end()) {
      it->second->cancelled = true;
      watches_.erase(it);
      stream = current_;
    }
    for (auto& [entry, update] : queue_)  // e.g. a queued final error
      if (entry->id == id) entry->cancelled = true;
  }
  if (stream) send_cancel(stream, id);
  if (std::this_thread::get_id() == dispatcher_.get_id()) return;
  std::unique_lock lk(mu_);
  cv_.wait(lk, [&] { return delivering_ != id; });
}

void EtcdWatchStream::request_progress() {
  std::shared_ptr<Stream> stream;
  {
    std::lock_guard lk(mu_);
    stream = current_;
    if (!stream) progress_wanted_ = true;
  }
  if (!stream) return;
  etcdserverpb::WatchRequest req;
  req.mutable_progress_request();
  if (!write(stream, req)) {
    std::lock_guard lk(mu_);
    progress_wanted_ = true;
  }
}

void EtcdWatchStream::enqueue(const std::shared_ptr<Entry>& entry, WatchUpdate update) {
  // mu_ held by the caller.
  queue_.emplace_back(entry, std::move(update));
  cv_.notify_all();
}

void EtcdWatchStream::defer_progress(const Entry& e) {
  // mu_ held by the caller.
  auto at = e.created_at + kProgressTrustedAfter;
  if (!progress_retry_at_ || at > *progress_retry_at_) progress_retry_at_ = at;
  cv_.notify_all();
}

void EtcdWatchStream::dispatch_loop() {
  std::unique_lock lk(mu_);
  while (true) {
    const auto retry_at = progress_retry_at_;
    auto ready = [&] { return stopping_ || !queue_.empty() || progress_retry_at_ != retry_at; };
    if (retry_at) {
      cv_.wait_until(lk, *retry_at, ready);
    } else {
      cv_.wait(lk, ready);
    }
    if (stopping_) return;
    if (progress_retry_at_ && std::chrono::steady_clock::now() >= *progress_retry_at_) {
      progress_retry_at_.reset();
      lk.unlock();
      request_progress();
      lk.lock();
      continue;
    }
    if (queue_.empty()) continue;
    auto [entry, update] = std::move(queue_.front());
    queue_.pop_front();
    if (entry->cancelled) continue;
    delivering_ = entry->id;
    lk.unlock();
    entry->callback(std::move(update));
    lk.lock();
    delivering_ = 0;
    cv_.notify_all();
  }
}

void EtcdWatchStream::reader_loop() {
  auto backoff = std::chrono::milliseconds(100);
  int attempt = 0;
  while (true) {
    auto stream = std::make_shared<Stream>();
    {
      std::lock_guard lk(mu_);
      if (stopping_) return;
    }
    auto stub = etcdserverpb::Watch::NewStub(channel_for_(attempt));
    auto rw = stub->Watch(&stream->ctx);
    bool healthy = false;
    {
      std::unique_lock lk(mu_);
      if (stopping_) {
        stream->ctx.TryCancel();
        lk.unlock();
        rw->Finish();
        return;
      }
      {
        std::lock_guard wl(stream->write_mu);
        stream->rw = std::move(rw);
      }
      stream->generation = ++generation_;
      current_ = stream;
    }
    run_stream(stream);
    {
      std::lock_guard lk(mu_);
      current_.reset();
      for (auto& [id, e] : watches_) e->created = false;
      healthy = generation_healthy_;
      generation_healthy_ = false;
    }
    stream->ctx.TryCancel();
    {
      std::lock_guard wl(stream->write_mu);
      stream->rw->Finish();
      stream->rw.reset();
    }
    if (healthy) {
      backoff = std::chrono::milliseconds(100);
    }
    ++attempt;
    std::unique_lock lk(mu_);
    if (stopping_) return;
    KITE_LOG(debug, "kv") << "etcd watch stream down; reconnecting in " << backoff.count() << " ms";
    cv_.wait_for(lk, backoff, [&] { return stopping_; });
    if (stopping_) return;
    if (!healthy) backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
  }
}

void EtcdWatchStream::run_stream(const std::shared_ptr<Stream>& stream) {
  // (Re)create every registered watch on this stream from its resume point.
  std::vector<etcdserverpb::WatchRequest> creates;
  bool progress = false;
  {
    std::lock_guard lk(mu_);
    for (auto& [id, e] : watches_) {
      if (e->generation == stream->generation) continue;  // add() already sent it
      e->generation = stream->generation;
      creates.push_back(create_request(id, e->req, e->next_revision));
    }
    progress = std::exchange(progress_wanted_, false);
  }
  for (const auto& c : creates)
    if (!write(stream, c)) return;
  if (progress) {
    etcdserverpb::WatchRequest req;
    req.mutable_progress_request();
    write(stream, req);
  }
  etcdserverpb::WatchResponse resp;
  while (stream->rw->Read(&resp)) handle(stream, resp);
}

void EtcdWatchStream::handle(const std::shared_ptr<Stream>& stream,
                             const etcdserverpb::WatchResponse& resp) {
  const int64_t id = resp.watch_id();
  const int64_t header_rev = resp.header().revision();
  std::unique_lock lk(mu_);
  generation_healthy_ = true;

  if (id == -1) {  // stream-wide progress notification (etcd 3.4)
    for (auto& [wid, e] : watches_) {
      if (!e->progress_trusted()) {
        defer_progress(*e);
        continue;
      }
      e->next_revision = std::max(e->next_revision, header_rev + 1);
      WatchUpdate u;
      u.revision = header_rev;
      enqueue(e, std::move(u));
    }
    return;
  }

  auto it = watches_.find(id);
  if (it == watches_.end()) {
    // A watch we no longer know (cancelled, or confirmed after add() gave up).
    if (!resp.canceled()) {
      lk.unlock();
      send_cancel(stream, id);
    }
    return;
  }
  auto entry = it->second;

  if (resp.created()) {
    entry->created = true;
    entry->created_at = std::chrono::steady_clock::now();
    if (!entry->ever_created && entry->next_revision == 0) entry->next_revision = header_rev + 1;
    entry->ever_created = true;
    cv_.notify_all();
  }

  if (resp.canceled() || resp.compact_revision() > 0) {
    WatchUpdate u;
    if (resp.compact_revision() > 0) {
      u.error = base::Status(Reason::Gone, "etcd: required revision has been compacted");
      u.compact_revision = resp.compact_revision();
    } else {
      u.error = base::Status(Reason::InternalError,
                             "etcd cancelled the watch: " + resp.cancel_reason());
    }
    watches_.erase(it);
    entry->finished = true;  // wakes add(); the error arrives through the callback
    queue_.emplace_back(entry, std::move(u));
    cv_.notify_all();
    return;
  }

  if (resp.events_size() > 0) {
    WatchUpdate u;
    u.events.reserve(static_cast<size_t>(resp.events_size()));
    for (const auto& ev : resp.events()) u.events.push_back(from_proto(ev));
    u.revision = u.events.back().kv.mod_revision;
    entry->next_revision = u.revision + 1;
    enqueue(entry, std::move(u));
    return;
  }

  if (!resp.created()) {  // progress notification for this watch
    if (!entry->progress_trusted()) {
      defer_progress(*entry);
      return;
    }
    entry->next_revision = std::max(entry->next_revision, header_rev + 1);
    WatchUpdate u;
    u.revision = header_rev;
    enqueue(entry, std::move(u));
  }
}

}  // namespace kite::kv::etcd
