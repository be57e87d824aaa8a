// Protocol buffers wire format reader: see wire_reader.h.
#include "api/protobuf/wire_reader.h"

namespace kite::api {

bool WireReader::read_varint(std::string_view& in, uint64_t& value) {
  value = 0;
  for (size_t i = 0; i < in.size() && i < 10; ++i) {
    uint8_t b = static_cast<uint8_t>(in[i]);
    value |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      in.remove_prefix(i + 1);
      return true;
    }
  }
  return false;
}

bool WireReader::fail(std::string why) {
  error_ = std::move(why) + " at byte " + std::to_string(pos_);
  return false;
}

bool WireReader::next(WireField& out) {
  if (!ok() || pos_ >= data_.size()) return false;
  std::string_view rest = data_.substr(pos_);
  uint64_t key = 0;
  if (!read_varint(rest, key)) return fail("truncated field key");
  uint64_t number = key >> 3;
  if (number == 0 || number > 0x1fffffff) return fail("invalid field number");
  out = WireField{};
  out.number = static_cast<uint32_t>(number);
  out.type = static_cast<WireType>(key & 7);
  switch (out.type) {
    case WireType::Varint:
      if (!read_varint(rest, out.scalar)) return fail("truncated varint");
      break;
    case WireType::Fixed64:
    case WireType::Fixed32: {
      size_t n = out.type == WireType::Fixed64 ? 8 : 4;
      if (rest.size() < n) return fail("truncated fixed-width value");
      for (size_t i = 0; i < n; ++i)
        out.scalar |= static_cast<uint64_t>(static_cast<uint8_t>(rest[i])) << (8 * i);
      rest.remove_prefix(n);
      break;
    }
    case WireType::LengthDelimited: {
      uint64_t len = 0;
      if (!read_varint(rest, len)) return fail("truncated length");
      if (len > rest.size()) return fail("length past the end of the message");
      out.bytes = rest.substr(0, static_cast<size_t>(len));
      rest.remove_prefix(static_cast<size_t>(len));
      break;
    }
    default:
      return fail("unsupported wire type " + std::to_string(key & 7));
  }
  pos_ = data_.size() - rest.size();
  return true;
}

}  // namespace kite::api
