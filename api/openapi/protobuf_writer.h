// A minimal protocol buffers wire-format writer (varints, length-delimited fields, doubles),
// enough to encode gnostic's openapi.v2 messages without a protobuf library. Internal to
// api/openapi/. Not thread-safe per instance.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kite::api::openapi {

class ProtoWriter {
 public:
  void varint_field(uint32_t field, uint64_t v);
  void bool_field(uint32_t field, bool v) { varint_field(field, v ? 1 : 0); }
  void int64_field(uint32_t field, int64_t v) { varint_field(field, static_cast<uint64_t>(v)); }
  void double_field(uint32_t field, double v);
  // Strings, bytes and embedded messages (pass the encoded message).
  void bytes_field(uint32_t field, std::string_view bytes);
  // Proto3 skips empty scalar fields; these helpers do the same.
  void string_if(uint32_t field, std::string_view s) {
    if (!s.empty()) bytes_field(field, s);
  }

  const std::string& data() const { return out_; }
  std::string take() { return std::move(out_); }

  static void append_varint(std::string& out, uint64_t v);

 private:
  void tag(uint32_t field, uint32_t wire_type);
  std::string out_;
};

}  // namespace kite::api::openapi
