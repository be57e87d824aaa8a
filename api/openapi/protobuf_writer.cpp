#include "api/openapi/protobuf_writer.h"

#include <cstring>

namespace kite::api::openapi {

void ProtoWriter::append_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void ProtoWriter::tag(uint32_t field, uint32_t wire_type) {
  append_varint(out_, (static_cast<uint64_t>(field) << 3) | wire_type);
}

void ProtoWriter::varint_field(uint32_t field, uint64_t v) {
  tag(field, 0);
  append_varint(out_, v);
}

void ProtoWriter::double_field(uint32_t field, double v) {
  tag(field, 1);
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
}

void ProtoWriter::bytes_field(uint32_t field, std::string_view bytes) {
  tag(field, 2);
  append_varint(out_, bytes.size());
  out_.append(bytes);
}

}  // namespace kite::api::openapi
