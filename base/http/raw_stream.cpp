#include "base/http/raw_stream.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace kite::base::http {

Result<void> read_exact(RawStream& stream, char* data, size_t size) {
  size_t got = 0;
  while (got < size) {
    auto n = stream.read_some(data + got, size - got);
    if (!n) return std::unexpected(n.error());
    if (*n == 0) return error(Reason::InternalError, "unexpected end of stream");
    got += *n;
  }
  return {};
}

Result<std::string> read_all(RawStream& stream, size_t limit) {
  std::string out;
  char buf[16384];
  for (;;) {
    auto n = stream.read_some(buf, sizeof buf);
    if (!n) return std::unexpected(n.error());
    if (*n == 0) return out;
    if (out.size() + *n > limit) return error(Reason::InternalError, "stream larger than the limit");
    out.append(buf, *n);
  }
}

namespace {
// Copies from -> to until EOF (then half-closes `to`) or failure (then closes both).
void copy_one_way(RawStream& from, RawStream& to) {
  std::string buf(32768, '\0');
  for (;;) {
    auto n = from.read_some(buf.data(), buf.size());
    if (!n) break;
    if (*n == 0) {
      to.close_write();
      return;
    }
    if (!to.write(std::string_view(buf.data(), *n))) break;
  }
  from.close();
  to.close();
}
}  // namespace

void splice(RawStream& a, RawStream& b) {
  std::thread other([&] { copy_one_way(b, a); });
  copy_one_way(a, b);
  other.join();
  a.close();
  b.close();
}

namespace {

// One direction of the in-memory pair.
struct Pipe {
  std::mutex mu;
  std::condition_variable cv;
  std::string data;
  bool eof = false;     // writer half-closed
  bool closed = false;  // either end closed
};

class MemoryStream : public RawStream {
 public:
  MemoryStream(std::shared_ptr<Pipe> in, std::shared_ptr<Pipe> out) : in_(std::move(in)), out_(std::move(out)) {}
  ~MemoryStream() override { close(); }

  Result<size_t> read_some(char* data, size_t size) override {
    std::unique_lock lock(in_->mu);
    in_->cv.wait(lock, [&] { return !in_->data.empty() || in_->eof || in_->closed; });
    if (in_->data.empty()) {
      // The peer half-closed before anything closed the pair: end of stream, as TCP's FIN.
      if (in_->eof) return size_t{0};
      return error(Reason::InternalError, "stream closed");
    }
    size_t n = std::min(size, in_->data.size());
    in_->data.copy(data, n);
    in_->data.erase(0, n);
    return n;
  }
  Result<void> write(std::string_view data) override {
    std::lock_guard lock(out_->mu);
    if (out_->closed || out_->eof) return error(Reason::InternalError, "stream closed");
    out_->data.append(data);
    out_->cv.notify_all();
    return {};
  }
  void close_write() override {
    std::lock_guard lock(out_->mu);
    out_->eof = true;
    out_->cv.notify_all();
  }
  void close() override {
    for (auto* p : {in_.get(), out_.get()}) {
      std::lock_guard lock(p->mu);
      p->closed = true;
      p->cv.notify_all();
    }
  }

 private:
  std::shared_ptr<Pipe> in_, out_;
};

}  // namespace

std::pair<std::unique_ptr<RawStream>, std::unique_ptr<RawStream>> make_stream_pair() {
  auto ab = std::make_shared<Pipe>(), ba = std::make_shared<Pipe>();
  return {std::make_unique<MemoryStream>(ba, ab), std::make_unique<MemoryStream>(ab, ba)};
}

}  // namespace kite::base::http
