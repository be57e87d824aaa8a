// ProtoWriter: builds protocol buffers messages by hand for the decoder tests (varints,
// length-delimited fields, fixed64), plus the Kubernetes envelope and hex helpers.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace kite::api::testing {

class ProtoWriter {
 public:
  ProtoWriter& varint(uint32_t field, uint64_t v) {
    key(field, 0);
    raw_varint(v);
    return *this;
  }
  // A negative int32/int64 is written as its 64-bit two's complement (10 bytes), as protobuf does.
  ProtoWriter& int64(uint32_t field, int64_t v) { return varint(field, static_cast<uint64_t>(v)); }
  ProtoWriter& boolean(uint32_t field, bool v) { return varint(field, v ? 1 : 0); }
  ProtoWriter& bytes(uint32_t field, std::string_view v) {
    key(field, 2);
    raw_varint(v.size());
    out_.append(v);
    return *this;
  }
  ProtoWriter& message(uint32_t field, const ProtoWriter& m) { return bytes(field, m.str()); }
  ProtoWriter& map_entry(uint32_t field, std::string_view k, std::string_view v) {
    return message(field, ProtoWriter().bytes(1, k).bytes(2, v));
  }
  ProtoWriter& map_entry(uint32_t field, std::string_view k, const ProtoWriter& v) {
    return message(field, ProtoWriter().bytes(1, k).message(2, v));
  }
  ProtoWriter& fixed64_double(uint32_t field, double d) {
    key(field, 1);
    uint64_t bits = 0;
    std::memcpy(&bits, &d, 8);
    for (int i = 0; i < 8; ++i) out_ += static_cast<char>((bits >> (8 * i)) & 0xff);
    return *this;
  }
  ProtoWriter& raw(std::string_view bytes) {
    out_.append(bytes);
    return *this;
  }

  const std::string& str() const { return out_; }

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

// "k8s\0" + runtime.Unknown{typeMeta{apiVersion, kind}, raw, contentEncoding, contentType}.
inline std::string k8s_envelope(std::string_view api_version, std::string_view kind,
                                const ProtoWriter& object, std::string_view encoding = "") {
  ProtoWriter unknown;
  unknown.message(1, ProtoWriter().bytes(1, api_version).bytes(2, kind))
      .message(2, object)
      .bytes(3, encoding)
      .bytes(4, "");
  return std::string("k8s\0", 4) + unknown.str();
}

inline std::string from_hex(std::string_view hex) {
  std::string out;
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1]));
  return out;
}

}  // namespace kite::api::testing
