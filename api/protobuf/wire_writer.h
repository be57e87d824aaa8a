// WireWriter: appends protocol buffers fields (the binary wire format) to a string.
// Not thread-safe; one per message being built.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kite::api {

class WireWriter {
 public:
  void varint(uint32_t field, uint64_t v) {
    key(field, 0);
    raw_varint(v);
  }
  void fixed64(uint32_t field, uint64_t bits) {
    key(field, 1);
    for (int i = 0; i < 8; ++i) out_ += static_cast<char>((bits >> (8 * i)) & 0xff);
  }
  void bytes(uint32_t field, std::string_view v) {
    key(field, 2);
    raw_varint(v.size());
    out_.append(v);
  }

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void key(uint32_t field, int wire_type) { raw_varint((uint64_t{field} << 3) | wire_type); }
  void raw_varint(uint64_t v) {
    while (v >= 0x80) {
      out_ += static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    out_ += static_cast<char>(v);
  }

  std::string out_;
};

}  // namespace kite::api
