#include "base/stream/websocket.h"

#include <openssl/sha.h>

#include "base/base64.h"

namespace kite::base::stream {

std::string websocket_accept(const std::string& client_key) {
  std::string text = client_key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return base64_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string encode_ws_frame(WsOpcode opcode, std::string_view payload, bool fin, std::optional<uint32_t> mask) {
  std::string out;
  out.push_back(static_cast<char>((fin ? 0x80 : 0) | static_cast<uint8_t>(opcode)));
  uint8_t mask_bit = mask ? 0x80 : 0;
  size_t n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<char>(mask_bit | n));
  } else if (n <= 0xffff) {
    out.push_back(static_cast<char>(mask_bit | 126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(static_cast<uint64_t>(n) >> shift));
  }
  if (!mask) return out.append(payload);
  char key[4] = {static_cast<char>(*mask >> 24), static_cast<char>(*mask >> 16), static_cast<char>(*mask >> 8),
                 static_cast<char>(*mask)};
  out.append(key, 4);
  size_t start = out.size();
  out.append(payload);
  for (size_t i = 0; i < n; ++i) out[start + i] = static_cast<char>(out[start + i] ^ key[i % 4]);
  return out;
}

Result<std::optional<WsFrame>> decode_ws_frame(std::string& buffer, size_t max_payload) {
  if (buffer.size() < 2) return std::optional<WsFrame>();
  auto byte = [&](size_t i) { return static_cast<uint8_t>(buffer[i]); };
  if (byte(0) & 0x70) return error(Reason::BadRequest, "websocket: reserved bits set");
  WsFrame f;
  f.fin = byte(0) & 0x80;
  f.opcode = static_cast<WsOpcode>(byte(0) & 0x0f);
  bool masked = byte(1) & 0x80;
  uint64_t len = byte(1) & 0x7f;
  size_t at = 2;
  if (len == 126) {
    if (buffer.size() < 4) return std::optional<WsFrame>();
    len = static_cast<uint64_t>(byte(2)) << 8 | byte(3);
    at = 4;
  } else if (len == 127) {
    if (buffer.size() < 10) return std::optional<WsFrame>();
    len = 0;
    for (size_t i = 2; i < 10; ++i) len = len << 8 | byte(i);
    at = 10;
  }
  bool control = static_cast<uint8_t>(f.opcode) >= 8;
  if (control && (len > 125 || !f.fin)) return error(Reason::BadRequest, "websocket: bad control frame");
  if (len > max_payload) return error(Reason::BadRequest, "websocket: frame too large");
  size_t key_at = at;
  if (masked) at += 4;
  if (buffer.size() < at + len) return std::optional<WsFrame>();
  f.payload = buffer.substr(at, len);
  if (masked) {
    for (size_t i = 0; i < len; ++i) f.payload[i] = static_cast<char>(f.payload[i] ^ buffer[key_at + i % 4]);
  }
  buffer.erase(0, at + len);
  return std::optional<WsFrame>(std::move(f));
}

Result<std::optional<WsMessage>> WsConnection::read_message() {
  std::optional<WsMessage> partial;
  char buf[16384];
  for (;;) {
    auto frame = decode_ws_frame(in_);
    if (!frame) return std::unexpected(frame.error());
    if (!*frame) {
      auto n = stream_.read_some(buf, sizeof buf);
      if (!n) return std::unexpected(n.error());
      if (*n == 0) return std::optional<WsMessage>();
      in_.append(buf, *n);
      continue;
    }
    WsFrame& f = **frame;
    switch (f.opcode) {
      case WsOpcode::Ping: {
        auto w = write_frame(WsOpcode::Pong, f.payload);
        if (!w) return std::unexpected(w.error());
        continue;
      }
      case WsOpcode::Pong:
        continue;
      case WsOpcode::Close:
        return std::optional<WsMessage>(WsMessage{WsOpcode::Close, std::move(f.payload)});
      case WsOpcode::Continuation:
        if (!partial) return error(Reason::BadRequest, "websocket: continuation without a message");
        partial->payload += f.payload;
        break;
      case WsOpcode::Text:
      case WsOpcode::Binary:
        if (partial) return error(Reason::BadRequest, "websocket: new message inside a fragmented one");
        partial = WsMessage{f.opcode, std::move(f.payload)};
        break;
      default:
        return error(Reason::BadRequest, "websocket: unknown opcode");
    }
    if (f.fin) return std::optional<WsMessage>(std::move(*partial));
  }
}

Result<void> WsConnection::write_frame(WsOpcode opcode, std::string_view payload) {
  std::lock_guard lock(write_mu_);
  if (close_sent_) return error(Reason::InternalError, "websocket: already closed");
  std::optional<uint32_t> mask;
  if (client_) {
    mask_seed_ = mask_seed_ * 1664525u + 1013904223u;
    mask = mask_seed_;
  }
  if (opcode == WsOpcode::Close) close_sent_ = true;
  return stream_.write(encode_ws_frame(opcode, payload, true, mask));
}

Result<void> WsConnection::write_message(WsOpcode opcode, std::string_view payload) {
  return write_frame(opcode, payload);
}

Result<void> WsConnection::close(uint16_t code, std::string_view reason) {
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code));
  payload.append(reason.substr(0, 123));
  return write_frame(WsOpcode::Close, payload);
}

}  // namespace kite::base::stream
