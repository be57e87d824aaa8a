#include "base/stream/spdy_connection.h"

namespace kite::base::stream {

Result<void> SpdyConnection::write(const SpdyFrame& frame) {
  std::lock_guard lock(write_mu_);
  auto bytes = codec_.encode(frame);
  if (!bytes) return std::unexpected(bytes.error());
  return stream_.write(*bytes);
}

Result<uint32_t> SpdyConnection::open_stream(SpdyHeaders headers) {
  std::lock_guard lock(write_mu_);
  SpdyFrame f;
  f.type = SpdyType::SynStream;
  f.stream_id = next_id_;
  f.headers = std::move(headers);
  auto bytes = codec_.encode(f);
  if (!bytes) return std::unexpected(bytes.error());
  auto w = stream_.write(*bytes);
  if (!w) return std::unexpected(w.error());
  next_id_ += 2;
  return f.stream_id;
}

Result<void> SpdyConnection::send_data(uint32_t stream_id, std::string_view data, bool fin) {
  do {
    size_t n = std::min<size_t>(data.size(), 1 << 20);
    SpdyFrame f;
    f.stream_id = stream_id;
    f.data = std::string(data.substr(0, n));
    data.remove_prefix(n);
    if (fin && data.empty()) f.flags = kSpdyFlagFin;
    auto w = write(f);
    if (!w) return w;
  } while (!data.empty());
  return {};
}

Result<std::optional<SpdyFrame>> SpdyConnection::read() {
  char buf[32768];
  for (;;) {
    auto frame = codec_.decode(in_);
    if (!frame) return std::unexpected(frame.error());
    if (*frame) return frame;
    auto n = stream_.read_some(buf, sizeof buf);
    if (!n) return std::unexpected(n.error());
    if (*n == 0) return std::optional<SpdyFrame>();
    in_.append(buf, *n);
  }
}

}  // namespace kite::base::stream
