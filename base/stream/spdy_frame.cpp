#include "base/stream/spdy_frame.h"

#include <cstring>

namespace kite::base::stream {

namespace {

void put32(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}
void put16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}
uint32_t get32(const std::string& s, size_t at) {
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(s[at + i])); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}
uint16_t get16(const std::string& s, size_t at) {
  return static_cast<uint16_t>(static_cast<unsigned char>(s[at]) << 8 | static_cast<unsigned char>(s[at + 1]));
}

Status bad(const std::string& what) { return Status(Reason::BadRequest, "malformed SPDY frame: " + what); }

}  // namespace

std::string SpdyFrame::header(const std::string& lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return v.substr(0, v.find('\0'));
  }
  return "";
}

SpdyCodec::SpdyCodec() {
  deflateInit(&deflate_, Z_DEFAULT_COMPRESSION);
  deflateSetDictionary(&deflate_, kSpdyDictionary, static_cast<uInt>(kSpdyDictionarySize));
  inflateInit(&inflate_);
}

SpdyCodec::~SpdyCodec() {
  deflateEnd(&deflate_);
  inflateEnd(&inflate_);
}

Result<std::string> SpdyCodec::compress(const SpdyHeaders& headers) {
  std::string plain;
  put32(plain, static_cast<uint32_t>(headers.size()));
  for (const auto& [k, v] : headers) {
    put32(plain, static_cast<uint32_t>(k.size()));
    for (char c : k) plain.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    put32(plain, static_cast<uint32_t>(v.size()));
    plain += v;
  }
  std::string out;
  deflate_.next_in = reinterpret_cast<Bytef*>(plain.data());
  deflate_.avail_in = static_cast<uInt>(plain.size());
  char chunk[4096];
  do {
    deflate_.next_out = reinterpret_cast<Bytef*>(chunk);
    deflate_.avail_out = sizeof chunk;
    int rc = deflate(&deflate_, Z_SYNC_FLUSH);
    if (rc != Z_OK && rc != Z_BUF_ERROR) return error(Reason::InternalError, "zlib deflate failed");
    out.append(chunk, sizeof chunk - deflate_.avail_out);
  } while (deflate_.avail_out == 0);
  return out;
}

Result<SpdyHeaders> SpdyCodec::decompress(const std::string& block) {
  std::string plain;
  inflate_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(block.data()));
  inflate_.avail_in = static_cast<uInt>(block.size());
  char chunk[4096];
  while (inflate_.avail_in > 0) {
    inflate_.next_out = reinterpret_cast<Bytef*>(chunk);
    inflate_.avail_out = sizeof chunk;
    int rc = inflate(&inflate_, Z_SYNC_FLUSH);
    if (rc == Z_NEED_DICT) {
      if (inflateSetDictionary(&inflate_, kSpdyDictionary, static_cast<uInt>(kSpdyDictionarySize)) != Z_OK) {
        return std::unexpected(bad("header dictionary rejected"));
      }
      continue;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END) return std::unexpected(bad("header block does not inflate"));
    plain.append(chunk, sizeof chunk - inflate_.avail_out);
    if (rc == Z_BUF_ERROR && inflate_.avail_out != 0) break;
    if (plain.size() > (1u << 24)) return std::unexpected(bad("header block too large"));
  }
  // Drain output still buffered in zlib.
  for (;;) {
    inflate_.next_out = reinterpret_cast<Bytef*>(chunk);
    inflate_.avail_out = sizeof chunk;
    int rc = inflate(&inflate_, Z_SYNC_FLUSH);
    size_t n = sizeof chunk - inflate_.avail_out;
    plain.append(chunk, n);
    if (n == 0 || rc != Z_OK) break;
  }
  SpdyHeaders out;
  if (plain.size() < 4) return std::unexpected(bad("short header block"));
  uint32_t count = get32(plain, 0);
  size_t at = 4;
  for (uint32_t i = 0; i < count; ++i) {
    std::string parts[2];
    for (auto& part : parts) {
      if (at + 4 > plain.size()) return std::unexpected(bad("truncated header block"));
      uint32_t len = get32(plain, at);
      at += 4;
      if (len > plain.size() - at) return std::unexpected(bad("truncated header block"));
      part = plain.substr(at, len);
      at += len;
    }
    out.emplace_back(std::move(parts[0]), std::move(parts[1]));
  }
  return out;
}

Result<std::string> SpdyCodec::encode(const SpdyFrame& f) {
  std::string body;
  if (f.type == SpdyType::Data) {
    if (f.stream_id == 0 || f.stream_id & 0x80000000u) return std::unexpected(bad("data frame stream id"));
    if (f.data.size() > kSpdyMaxDataLength) return std::unexpected(bad("data frame too large"));
    std::string out;
    put32(out, f.stream_id);
    put32(out, static_cast<uint32_t>(f.flags) << 24 | static_cast<uint32_t>(f.data.size()));
    return out + f.data;
  }
  switch (f.type) {
    case SpdyType::SynStream: {
      put32(body, f.stream_id & 0x7fffffffu);
      put32(body, f.associated_id & 0x7fffffffu);
      body.push_back(static_cast<char>(f.priority << 5));
      body.push_back(static_cast<char>(f.slot));
      auto block = compress(f.headers);
      if (!block) return std::unexpected(block.error());
      body += *block;
      break;
    }
    case SpdyType::SynReply:
    case SpdyType::Headers: {
      put32(body, f.stream_id & 0x7fffffffu);
      auto block = compress(f.headers);
      if (!block) return std::unexpected(block.error());
      body += *block;
      break;
    }
    case SpdyType::RstStream:
      put32(body, f.stream_id & 0x7fffffffu);
      put32(body, f.status);
      break;
    case SpdyType::Settings:
      put32(body, static_cast<uint32_t>(f.settings.size()));
      for (const auto& s : f.settings) {
        put32(body, static_cast<uint32_t>(s.flags) << 24 | (s.id & 0xffffffu));
        put32(body, s.value);
      }
      break;
    case SpdyType::Ping:
      put32(body, f.ping_id);
      break;
    case SpdyType::GoAway:
      put32(body, f.stream_id & 0x7fffffffu);
      put32(body, f.status);
      break;
    case SpdyType::WindowUpdate:
      put32(body, f.stream_id & 0x7fffffffu);
      put32(body, f.delta_window & 0x7fffffffu);
      break;
    default:
      return std::unexpected(bad("unknown frame type"));
  }
  std::string out;
  put16(out, 0x8000 | 3);
  put16(out, static_cast<uint16_t>(f.type));
  put32(out, static_cast<uint32_t>(f.flags) << 24 | static_cast<uint32_t>(body.size()));
  return out + body;
}

Result<std::optional<SpdyFrame>> SpdyCodec::decode(std::string& buffer) {
  if (buffer.size() < 8) return std::optional<SpdyFrame>();
  uint32_t length = get32(buffer, 4) & 0xffffffu;
  if (buffer.size() < 8 + length) return std::optional<SpdyFrame>();
  SpdyFrame f;
  f.flags = static_cast<uint8_t>(static_cast<unsigned char>(buffer[4]));
  std::string body = buffer.substr(8, length);
  bool control = static_cast<unsigned char>(buffer[0]) & 0x80;
  uint16_t type = get16(buffer, 2);
  uint16_t version = get16(buffer, 0) & 0x7fff;
  uint32_t first = get32(buffer, 0);
  buffer.erase(0, 8 + length);
  if (!control) {
    f.type = SpdyType::Data;
    f.stream_id = first & 0x7fffffffu;
    f.data = std::move(body);
    return std::optional<SpdyFrame>(std::move(f));
  }
  if (version != 3) return std::unexpected(bad("unsupported version " + std::to_string(version)));
  f.type = static_cast<SpdyType>(type);
  auto need = [&](size_t n) { return body.size() >= n; };
  switch (f.type) {
    case SpdyType::SynStream: {
      if (!need(10)) return std::unexpected(bad("short SYN_STREAM"));
      f.stream_id = get32(body, 0) & 0x7fffffffu;
      f.associated_id = get32(body, 4) & 0x7fffffffu;
      f.priority = static_cast<uint8_t>(static_cast<unsigned char>(body[8]) >> 5);
      f.slot = static_cast<uint8_t>(body[9]);
      auto h = decompress(body.substr(10));
      if (!h) return std::unexpected(h.error());
      f.headers = std::move(*h);
      break;
    }
    case SpdyType::SynReply:
    case SpdyType::Headers: {
      if (!need(4)) return std::unexpected(bad("short header frame"));
      f.stream_id = get32(body, 0) & 0x7fffffffu;
      auto h = decompress(body.substr(4));
      if (!h) return std::unexpected(h.error());
      f.headers = std::move(*h);
      break;
    }
    case SpdyType::RstStream:
    case SpdyType::GoAway:
      if (!need(8)) return std::unexpected(bad("short frame"));
      f.stream_id = get32(body, 0) & 0x7fffffffu;
      f.status = get32(body, 4);
      break;
    case SpdyType::Settings: {
      if (!need(4)) return std::unexpected(bad("short SETTINGS"));
      uint32_t n = get32(body, 0);
      if (body.size() < 4 + size_t{n} * 8) return std::unexpected(bad("short SETTINGS"));
      for (uint32_t i = 0; i < n; ++i) {
        uint32_t fid = get32(body, 4 + i * 8);
        f.settings.push_back({static_cast<uint8_t>(fid >> 24), fid & 0xffffffu, get32(body, 8 + i * 8)});
      }
      break;
    }
    case SpdyType::Ping:
      if (!need(4)) return std::unexpected(bad("short PING"));
      f.ping_id = get32(body, 0);
      break;
    case SpdyType::WindowUpdate:
      if (!need(8)) return std::unexpected(bad("short WINDOW_UPDATE"));
      f.stream_id = get32(body, 0) & 0x7fffffffu;
      f.delta_window = get32(body, 4) & 0x7fffffffu;
      break;
    default:
      f.data = std::move(body);  // unknown control frame: ignored by callers
      break;
  }
  return std::optional<SpdyFrame>(std::move(f));
}

}  // namespace kite::base::stream
