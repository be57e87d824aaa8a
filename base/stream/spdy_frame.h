// SPDY/3.1 framing as spoken by Kubernetes streaming (moby/spdystream: frame version 3, no flow
// control enforced): frame values, encoding and decoding, and the zlib header-block
// compression primed with the SPDY/3 dictionary (one zlib stream per direction per connection,
// each block ended with a sync flush).
//
// SpdyCodec holds both zlib streams of one connection, so frames must be encoded in the order
// they are written and decoded in the order they are read. Not thread-safe: SpdyConnection
// (spdy_connection.h) serialises writers.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace kite::base::stream {

extern const unsigned char kSpdyDictionary[];
extern const size_t kSpdyDictionarySize;

enum class SpdyType : uint16_t {
  Data = 0,  // not a control frame
  SynStream = 1,
  SynReply = 2,
  RstStream = 3,
  Settings = 4,
  Ping = 6,
  GoAway = 7,
  Headers = 8,
  WindowUpdate = 9,
};

constexpr uint8_t kSpdyFlagFin = 0x01;
constexpr uint8_t kSpdyFlagUnidirectional = 0x02;
constexpr uint32_t kSpdyMaxDataLength = (1u << 24) - 1;
// RST_STREAM status codes used here.
constexpr uint32_t kSpdyRstProtocolError = 1;
constexpr uint32_t kSpdyRstCancel = 5;

// Header names are lower-case on the wire; a value with several entries joins them with '\0'.
using SpdyHeaders = std::vector<std::pair<std::string, std::string>>;

struct SpdySetting {
  uint8_t flags = 0;
  uint32_t id = 0;  // 24 bits
  uint32_t value = 0;
};

struct SpdyFrame {
  SpdyType type = SpdyType::Data;
  uint8_t flags = 0;
  // Data, SynStream, SynReply, RstStream, Headers, WindowUpdate: the stream; GoAway: the last
  // good stream id.
  uint32_t stream_id = 0;
  uint32_t associated_id = 0;  // SynStream
  uint8_t priority = 0;        // SynStream, 0..7
  uint8_t slot = 0;            // SynStream
  uint32_t status = 0;         // RstStream, GoAway
  uint32_t ping_id = 0;        // Ping
  uint32_t delta_window = 0;   // WindowUpdate
  std::vector<SpdySetting> settings;
  SpdyHeaders headers;  // SynStream, SynReply, Headers
  std::string data;     // Data payload

  bool fin() const { return (flags & kSpdyFlagFin) != 0; }
  // First value of header `lower_name`, or "".
  std::string header(const std::string& lower_name) const;
};

class SpdyCodec {
 public:
  SpdyCodec();
  ~SpdyCodec();
  SpdyCodec(const SpdyCodec&) = delete;
  SpdyCodec& operator=(const SpdyCodec&) = delete;

  // The bytes of one frame (compresses header blocks with this connection's compressor).
  Result<std::string> encode(const SpdyFrame& frame);
  // Takes one whole frame off the front of `buffer`; nullopt when more bytes are needed.
  // Errors: malformed frame or header block (the connection must be dropped).
  Result<std::optional<SpdyFrame>> decode(std::string& buffer);

 private:
  Result<std::string> compress(const SpdyHeaders& headers);
  Result<SpdyHeaders> decompress(const std::string& block);

  z_stream deflate_{};
  z_stream inflate_{};
};

}  // namespace kite::base::stream
