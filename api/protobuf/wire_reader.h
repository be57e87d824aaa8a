// WireReader: reads the fields of one protocol buffers message (the binary wire format) from a
// byte buffer it does not own. It knows nothing of schemas: each field comes back as its number,
// wire type and raw payload. A malformed buffer (truncated varint or length, a length past the
// end, an unsupported wire type) ends reading with ok() false and error() saying why.
// Not thread-safe; cheap to create (one per message).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kite::api {

enum class WireType : uint8_t {
  Varint = 0,
  Fixed64 = 1,
  LengthDelimited = 2,
  StartGroup = 3,  // deprecated groups: not used by Kubernetes, rejected
  EndGroup = 4,
  Fixed32 = 5,
};

struct WireField {
  uint32_t number = 0;
  WireType type = WireType::Varint;
  uint64_t scalar = 0;     // Varint, Fixed64 and Fixed32 payloads
  std::string_view bytes;  // LengthDelimited payload
};

class WireReader {
 public:
  explicit WireReader(std::string_view buffer) : data_(buffer) {}

  // Reads the next field into `out`; false at the end of the buffer or on an error.
  bool next(WireField& out);
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // Decodes a varint at the start of `in`, advancing it; false if truncated or too long.
  static bool read_varint(std::string_view& in, uint64_t& value);

 private:
  bool fail(std::string why);

  std::string_view data_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace kite::api
