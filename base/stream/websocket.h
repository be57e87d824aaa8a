// WebSocket (RFC 6455) on a RawStream: the server handshake key, frame encoding/decoding
// (masking, 7/16/64-bit lengths, fragmentation, control frames) and a connection that reads
// whole messages and writes frames.
//
// WsConnection: one reader thread (read_message) and any number of writer threads (writes are
// serialised by a mutex). Pings are answered with pongs inside read_message().
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "base/http/raw_stream.h"
#include "base/status.h"

namespace kite::base::stream {

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key.
std::string websocket_accept(const std::string& client_key);

enum class WsOpcode : uint8_t { Continuation = 0, Text = 1, Binary = 2, Close = 8, Ping = 9, Pong = 10 };

struct WsFrame {
  bool fin = true;
  WsOpcode opcode = WsOpcode::Binary;
  std::string payload;  // unmasked
};

// One frame; `mask` (clients must mask) applies the 4-byte masking key.
std::string encode_ws_frame(WsOpcode opcode, std::string_view payload, bool fin = true,
                            std::optional<uint32_t> mask = std::nullopt);
// Takes one whole frame off the front of `buffer` (unmasking it); nullopt when more bytes are
// needed. Errors: reserved bits, bad control frame, frame over `max_payload`.
Result<std::optional<WsFrame>> decode_ws_frame(std::string& buffer, size_t max_payload = 32 << 20);

struct WsMessage {
  WsOpcode opcode = WsOpcode::Binary;  // Text, Binary or Close
  std::string payload;                 // fragments joined; Close: 2-byte code + reason
};

class WsConnection {
 public:
  // `client` = we are the client side (our frames are masked).
  WsConnection(http::RawStream& stream, bool client) : stream_(stream), client_(client) {}

  // The next data or close message; nullopt when the stream ended without a close frame.
  Result<std::optional<WsMessage>> read_message();
  Result<void> write_message(WsOpcode opcode, std::string_view payload);
  // Sends a close frame (once) with `code` and `reason`.
  Result<void> close(uint16_t code = 1000, std::string_view reason = "");

 private:
  Result<void> write_frame(WsOpcode opcode, std::string_view payload);

  http::RawStream& stream_;
  bool client_;
  std::string in_;
  std::mutex write_mu_;
  bool close_sent_ = false;
  uint32_t mask_seed_ = 0x9e3779b9u;
};

}  // namespace kite::base::stream
