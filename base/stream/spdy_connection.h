// A SPDY/3.1 connection on a RawStream: writes frames from any thread (encoding and writing
// happen under one mutex so the header compressor sees frames in wire order) and reads
// frames on one reader thread. Stream ids: the client side opens odd ids (1, 3, 5, ...).
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "base/http/raw_stream.h"
#include "base/stream/spdy_frame.h"

namespace kite::base::stream {

class SpdyConnection {
 public:
  SpdyConnection(http::RawStream& stream, bool client) : stream_(stream), next_id_(client ? 1 : 2) {}

  Result<void> write(const SpdyFrame& frame);
  // Sends SYN_STREAM with `headers` on a new stream id, which it returns.
  Result<uint32_t> open_stream(SpdyHeaders headers);
  Result<void> send_data(uint32_t stream_id, std::string_view data, bool fin = false);
  // The next frame; nullopt at end of stream. One reader thread only.
  Result<std::optional<SpdyFrame>> read();

 private:
  http::RawStream& stream_;
  SpdyCodec codec_;
  std::mutex write_mu_;
  uint32_t next_id_;
  std::string in_;
};

}  // namespace kite::base::stream
