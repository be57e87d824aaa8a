// JSON objects -> Kubernetes protobuf bodies: see encode.h.
#include "api/protobuf/encode.h"

#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "api/protobuf/message_decoder.h"
#include "api/protobuf/wire_writer.h"
#include "api/protobuf/wrapper_types.h"

namespace kite::api {
namespace {

using json = nlohmann::json;

std::unexpected<base::Status> bad(const std::string& path, const std::string& why) {
  return base::error(base::Reason::BadRequest, "protobuf: cannot encode " + path + ": " + why);
}

// Properties by field number; Go-inlined structs nested (see message_decoder.cpp).
struct Layout {
  std::map<uint32_t, std::pair<std::string, const Schema*>> leaves;
  std::map<uint32_t, std::unique_ptr<Layout>> embedded;
};

Layout layout_of(const Schema& s) {
  Layout root;
  for (const auto& [name, child] : s.properties) {
    if (!child || child->proto_field <= 0) continue;
    Layout* at = &root;
    for (int e : child->proto_embedded_in) {
      auto& slot = at->embedded[static_cast<uint32_t>(e)];
      if (!slot) slot = std::make_unique<Layout>();
      at = slot.get();
    }
    at->leaves[static_cast<uint32_t>(child->proto_field)] = {name, child.get()};
  }
  return root;
}

std::string base64_decode(const std::string& in, bool& ok) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  ok = in.size() % 4 == 0;
  for (size_t i = 0; i < in.size() && ok; ++i) {
    if (in[i] == '=') {
      ok = i + 2 >= in.size();
      break;
    }
    int v = val(in[i]);
    if (v < 0) {
      ok = false;
      break;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

class Encoder {
 public:
  base::Result<std::string> message(const json& obj, const Schema& s, const std::string& path) {
    if (!obj.is_object()) return bad(path, "not an object");
    if (++depth_ > 100) return bad(path, "nesting too deep");
    Layout layout = layout_of(s);
    auto r = fields(obj, layout, path);
    --depth_;
    return r;
  }

 private:
  base::Result<std::string> fields(const json& obj, const Layout& layout, const std::string& path) {
    WireWriter w;
    auto leaf = layout.leaves.begin();
    auto emb = layout.embedded.begin();
    // Merge leaves and embedded groups in field-number order.
    while (leaf != layout.leaves.end() || emb != layout.embedded.end()) {
      bool take_leaf = emb == layout.embedded.end() ||
                       (leaf != layout.leaves.end() && leaf->first < emb->first);
      if (take_leaf) {
        const auto& [name, schema] = leaf->second;
        auto it = obj.find(name);
        if (it != obj.end() && !it->is_null()) {
          auto st = property(w, leaf->first, *it, *schema, path.empty() ? name : path + "." + name);
          if (!st.is_ok()) return std::unexpected(st);
        }
        ++leaf;
      } else {
        auto inner = fields(obj, *emb->second, path);
        if (!inner) return inner;
        if (!inner->empty()) w.bytes(emb->first, *inner);
        ++emb;
      }
    }
    return w.take();
  }

  static bool is_map(const Schema& s) {
    return s.type == Schema::Type::Object && s.additional_properties && s.properties.empty();
  }

  base::Status property(WireWriter& w, uint32_t field, const json& v, const Schema& s,
                        const std::string& path) {
    if (s.type == Schema::Type::Array && s.items) {
      if (!v.is_array()) return bad(path, "not an array").error();
      for (const auto& item : v) {
        if (item.is_null()) continue;
        auto st = value(w, field, item, *s.items, path);
        if (!st.is_ok()) return st;
      }
      return {};
    }
    if (is_map(s)) {
      if (!v.is_object()) return bad(path, "not an object").error();
      for (const auto& [key, item] : v.items()) {  // nlohmann objects iterate in key order
        WireWriter entry;
        entry.bytes(1, key);
        if (!item.is_null()) {
          auto st = value(entry, 2, item, *s.additional_properties, path + "." + key);
          if (!st.is_ok()) return st;
        }
        w.bytes(field, entry.str());
      }
      return {};
    }
    return value(w, field, v, s, path);
  }

  base::Status value(WireWriter& w, uint32_t field, const json& v, const Schema& s,
                     const std::string& path) {
    std::string_view wrapper;
    if (is_protobuf_wrapper(s.ref_name)) wrapper = s.ref_name;
    else if (s.type == Schema::Type::IntOrString) wrapper = kIntOrStringDefinition;
    else if (s.type == Schema::Type::Quantity) wrapper = kQuantityDefinition;
    if (!wrapper.empty()) {
      auto m = encode_protobuf_wrapper(wrapper, v);
      if (!m) return bad(path, m.error().message()).error();
      w.bytes(field, *m);
      return {};
    }
    switch (s.type) {
      case Schema::Type::String: {
        if (!v.is_string()) return bad(path, "not a string").error();
        if (s.format != "byte") {
          w.bytes(field, v.get_ref<const std::string&>());
          return {};
        }
        bool ok = false;
        std::string raw = base64_decode(v.get_ref<const std::string&>(), ok);
        if (!ok) return bad(path, "not base64").error();
        w.bytes(field, raw);
        return {};
      }
      case Schema::Type::Integer:
        if (!v.is_number_integer()) return bad(path, "not an integer").error();
        w.varint(field, static_cast<uint64_t>(v.get<int64_t>()));
        return {};
      case Schema::Type::Boolean:
        if (!v.is_boolean()) return bad(path, "not a boolean").error();
        w.varint(field, v.get<bool>() ? 1 : 0);
        return {};
      case Schema::Type::Number: {
        if (!v.is_number()) return bad(path, "not a number").error();
        double d = v.get<double>();
        uint64_t bits = 0;
        std::memcpy(&bits, &d, 8);
        w.fixed64(field, bits);
        return {};
      }
      case Schema::Type::Object: {
        if (s.properties.empty() && !s.additional_properties)
          return bad(path, "its type has no protobuf form in kite").error();
        auto m = message(v, s, path);
        if (!m) return m.error();
        w.bytes(field, *m);
        return {};
      }
      default:
        return bad(path, "a field of unconstrained type has no protobuf form in kite").error();
    }
  }

  int depth_ = 0;
};

}  // namespace

base::Result<std::string> encode_protobuf_message(const json& obj, const Schema& schema) {
  if (!has_protobuf_fields(schema))
    return base::error(base::Reason::UnsupportedMediaType,
                       "protobuf: " + schema.ref_name + " has no protobuf form");
  Encoder e;
  return e.message(obj, schema, "");
}

base::Result<std::string> encode_kubernetes_protobuf(const json& obj, const Schema& schema) {
  auto raw = encode_protobuf_message(obj, schema);
  if (!raw) return raw;
  auto text = [&obj](const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  WireWriter type_meta;
  type_meta.bytes(1, text("apiVersion"));
  type_meta.bytes(2, text("kind"));
  WireWriter unknown;
  unknown.bytes(1, type_meta.str());
  unknown.bytes(2, *raw);
  unknown.bytes(3, "");
  unknown.bytes(4, "");
  return std::string("k8s\0", 4) + unknown.str();
}

}  // namespace kite::api
