// Schema-driven protobuf message decoding: see message_decoder.h.
//
// JSON shape rules (those of Go's encoding/json on the Kubernetes types, as gogo-protobuf
// writes them): a scalar present on the wire is kept unless its schema is omit_zero and it
// holds the zero value; nested messages present on the wire are kept even when empty (Go
// never omits a struct, and a non-nil pointer to an empty struct, e.g. `emptyDir: {}`, is
// meaningful); empty lists and maps never appear (protobuf cannot write them); wrapper types
// follow wrapper_types.h.
#include "api/protobuf/message_decoder.h"

#include <cstring>
#include <map>
#include <memory>

#include "api/protobuf/wire_reader.h"
#include "api/protobuf/wrapper_types.h"

namespace kite::api {
namespace {

using json = nlohmann::json;

std::unexpected<base::Status> bad(const std::string& why) {
  return base::error(base::Reason::BadRequest, "protobuf: " + why);
}

// Field number -> property, for one message; Go-inlined structs are nested FieldIndexes.
struct FieldIndex {
  struct Leaf {
    std::string name;
    const Schema* schema = nullptr;
  };
  std::map<uint32_t, Leaf> leaves;
  std::map<uint32_t, std::unique_ptr<FieldIndex>> embedded;

  explicit FieldIndex(const Schema& s) {
    for (const auto& [name, child] : s.properties) {
      if (!child || child->proto_field <= 0) continue;
      FieldIndex* at = this;
      for (int e : child->proto_embedded_in) {
        auto& slot = at->embedded[static_cast<uint32_t>(e)];
        if (!slot) slot = std::unique_ptr<FieldIndex>(new FieldIndex());
        at = slot.get();
      }
      at->leaves[static_cast<uint32_t>(child->proto_field)] = Leaf{name, child.get()};
    }
  }

 private:
  FieldIndex() = default;
};

std::string where(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

const char* wire_name(WireType t) {
  switch (t) {
    case WireType::Varint: return "varint";
    case WireType::Fixed64: return "fixed64";
    case WireType::LengthDelimited: return "length-delimited";
    case WireType::Fixed32: return "fixed32";
    default: return "group";
  }
}

class Decoder {
 public:
  base::Result<json> message(std::string_view bytes, const Schema& schema,
                             const std::string& path) {
    if (++depth_ > 100) return bad("message nesting too deep at " + path);
    json obj = json::object();
    FieldIndex index(schema);
    auto st = fields(bytes, index, obj, path);
    --depth_;
    if (!st.is_ok()) return std::unexpected(st);
    return obj;
  }

 private:
  base::Status fields(std::string_view bytes, const FieldIndex& index, json& obj,
                      const std::string& path) {
    WireReader r(bytes);
    WireField f;
    while (r.next(f)) {
      if (auto e = index.embedded.find(f.number); e != index.embedded.end()) {
        if (f.type != WireType::LengthDelimited)
          return {base::Reason::BadRequest, "protobuf: " + path + ": embedded field " +
                                                std::to_string(f.number) + " is not a message"};
        auto st = fields(f.bytes, *e->second, obj, path);
        if (!st.is_ok()) return st;
        continue;
      }
      auto it = index.leaves.find(f.number);
      if (it == index.leaves.end()) continue;  // unknown field: skipped, as protobuf does
      auto st = property(f, it->second.name, *it->second.schema, obj, where(path, it->second.name));
      if (!st.is_ok()) return st;
    }
    if (!r.ok()) return {base::Reason::BadRequest, "protobuf: " + where(path, "") + ": " + r.error()};
    return {};
  }

  static bool is_map(const Schema& s) {
    return s.type == Schema::Type::Object && s.additional_properties && s.properties.empty();
  }

  base::Status property(const WireField& f, const std::string& name, const Schema& s,
                        json& obj, const std::string& path) {
    if (s.type == Schema::Type::Array && s.items) {
      json& arr = obj[name];
      if (!arr.is_array()) arr = json::array();
      // Packed repeated scalars: one length-delimited run of values.
      if (f.type == WireType::LengthDelimited && is_packable(*s.items))
        return packed(f.bytes, *s.items, arr, path);
      auto v = value(f, *s.items, /*omit_zero=*/false, path);
      if (!v) return v.error();
      arr.push_back(v->has_value() ? std::move(**v) : json());
      return {};
    }
    if (is_map(s)) {
      if (f.type != WireType::LengthDelimited)
        return {base::Reason::BadRequest, "protobuf: " + path + ": map entry is not a message"};
      std::string key;
      std::optional<WireField> val;
      WireReader r(f.bytes);
      WireField e;
      while (r.next(e)) {
        if (e.number == 1 && e.type == WireType::LengthDelimited) key = std::string(e.bytes);
        if (e.number == 2) val = e;
      }
      if (!r.ok()) return {base::Reason::BadRequest, "protobuf: " + path + ": " + r.error()};
      json& m = obj[name];
      if (!m.is_object()) m = json::object();
      if (!val) {
        m[key] = zero_value(*s.additional_properties);
        return {};
      }
      auto v = value(*val, *s.additional_properties, /*omit_zero=*/false, path + "." + key);
      if (!v) return v.error();
      m[key] = v->has_value() ? std::move(**v) : json();
      return {};
    }
    auto v = value(f, s, s.omit_zero, path);
    if (!v) return v.error();
    if (v->has_value()) obj[name] = std::move(**v);
    else obj.erase(name);
    return {};
  }

  static bool is_packable(const Schema& s) {
    return s.type == Schema::Type::Integer || s.type == Schema::Type::Number ||
           s.type == Schema::Type::Boolean;
  }

  base::Status packed(std::string_view bytes, const Schema& item, json& arr,
                      const std::string& path) {
    while (!bytes.empty()) {
      WireField f;
      if (item.type == Schema::Type::Number) {
        bool wide = item.format != "float";
        size_t n = wide ? 8 : 4;
        if (bytes.size() < n) return {base::Reason::BadRequest, "protobuf: " + path + ": truncated packed value"};
        f.type = wide ? WireType::Fixed64 : WireType::Fixed32;
        for (size_t i = 0; i < n; ++i)
          f.scalar |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
        bytes.remove_prefix(n);
      } else {
        f.type = WireType::Varint;
        if (!WireReader::read_varint(bytes, f.scalar))
          return {base::Reason::BadRequest, "protobuf: " + path + ": truncated packed varint"};
      }
      auto v = value(f, item, false, path);
      if (!v) return v.error();
      arr.push_back(v->has_value() ? std::move(**v) : json());
    }
    return {};
  }

  static json zero_value(const Schema& s) {
    switch (s.type) {
      case Schema::Type::String: return "";
      case Schema::Type::Integer:
      case Schema::Type::Number: return 0;
      case Schema::Type::Boolean: return false;
      case Schema::Type::Object: return json::object();
      case Schema::Type::Array: return json::array();
      default: return json();
    }
  }

  std::unexpected<base::Status> mismatch(const WireField& f, const std::string& path,
                                         const char* expected) {
    return bad(path + ": expected " + expected + ", got " + wire_name(f.type) + " (field " +
               std::to_string(f.number) + ")");
  }

  // One value of schema `s`; nullopt when it is to be left out of the JSON.
  base::Result<std::optional<json>> value(const WireField& f, const Schema& s, bool omit_zero,
                                          const std::string& path) {
    using R = std::optional<json>;
    const std::string* wrapper = nullptr;
    if (is_protobuf_wrapper(s.ref_name)) wrapper = &s.ref_name;
    static const std::string intstr(kIntOrStringDefinition), quantity(kQuantityDefinition);
    if (!wrapper && s.type == Schema::Type::IntOrString) wrapper = &intstr;
    if (!wrapper && s.type == Schema::Type::Quantity) wrapper = &quantity;
    if (wrapper) {
      if (f.type != WireType::LengthDelimited) return mismatch(f, path, "a message");
      auto v = decode_protobuf_wrapper(*wrapper, f.bytes, omit_zero);
      if (!v) return bad(path + ": " + v.error().message());
      return v;
    }
    switch (s.type) {
      case Schema::Type::String: {
        if (f.type != WireType::LengthDelimited) return mismatch(f, path, "a string");
        if (omit_zero && f.bytes.empty()) return R();
        if (s.format == "byte") return R(base64(f.bytes));
        return R(std::string(f.bytes));
      }
      case Schema::Type::Integer: {
        if (f.type != WireType::Varint) return mismatch(f, path, "a varint");
        int64_t v = s.format == "int32" ? static_cast<int64_t>(static_cast<int32_t>(f.scalar))
                                        : static_cast<int64_t>(f.scalar);
        if (omit_zero && v == 0) return R();
        return R(v);
      }
      case Schema::Type::Boolean: {
        if (f.type != WireType::Varint) return mismatch(f, path, "a varint");
        if (omit_zero && f.scalar == 0) return R();
        return R(f.scalar != 0);
      }
      case Schema::Type::Number: {
        double d = 0;
        if (f.type == WireType::Fixed64) {
          static_assert(sizeof(double) == 8);
          uint64_t bits = f.scalar;
          std::memcpy(&d, &bits, 8);
        } else if (f.type == WireType::Fixed32) {
          uint32_t bits = static_cast<uint32_t>(f.scalar);
          float fl = 0;
          std::memcpy(&fl, &bits, 4);
          d = fl;
        } else {
          return mismatch(f, path, "a fixed-width number");
        }
        if (omit_zero && d == 0) return R();
        return R(d);
      }
      case Schema::Type::Object: {
        if (f.type != WireType::LengthDelimited) return mismatch(f, path, "a message");
        if (s.properties.empty() && !s.additional_properties)
          return bad(path + ": " + (s.ref_name.empty() ? std::string("this field") : s.ref_name) +
                     " has no protobuf form in kite");
        auto m = message(f.bytes, s, path);
        if (!m) return std::unexpected(m.error());
        return R(std::move(*m));
      }
      default:
        return bad(path + ": a field of unconstrained type has no protobuf form in kite");
    }
  }

  static std::string base64(std::string_view in) {
    static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
      uint32_t v = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) |
                   static_cast<uint8_t>(in[i + 2]);
      out += tbl[v >> 18];
      out += tbl[(v >> 12) & 63];
      out += tbl[(v >> 6) & 63];
      out += tbl[v & 63];
    }
    if (size_t rest = in.size() - i; rest > 0) {
      uint32_t v = static_cast<uint8_t>(in[i]) << 16;
      if (rest == 2) v |= static_cast<uint8_t>(in[i + 1]) << 8;
      out += tbl[v >> 18];
      out += tbl[(v >> 12) & 63];
      out += rest == 2 ? tbl[(v >> 6) & 63] : '=';
      out += '=';
    }
    return out;
  }

  int depth_ = 0;
};

}  // namespace

bool has_protobuf_fields(const Schema& schema) {
  for (const auto& [name, child] : schema.properties)
    if (child && child->proto_field > 0) return true;
  return false;
}

base::Result<json> decode_protobuf_message(std::string_view message, const Schema& schema) {
  Decoder d;
  return d.message(message, schema, "");
}

}  // namespace kite::api
