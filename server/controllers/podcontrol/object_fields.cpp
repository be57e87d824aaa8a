#include "server/controllers/podcontrol/object_fields.h"

#include "base/ids.h"

namespace kite::controllers::podcontrol {

const json& field(const json& obj, std::initializer_list<const char*> path) {
  static const json kNull;
  const json* cur = &obj;
  for (const char* key : path) {
    if (!cur->is_object()) return kNull;
    auto it = cur->find(key);
    if (it == cur->end()) return kNull;
    cur = &*it;
  }
  return *cur;
}

int64_t int_field(const json& obj, std::initializer_list<const char*> path, int64_t def) {
  const json& v = field(obj, path);
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number()) return static_cast<int64_t>(v.get<double>());
  return def;
}

std::string string_field(const json& obj, std::initializer_list<const char*> path, const std::string& def) {
  const json& v = field(obj, path);
  return v.is_string() ? v.get<std::string>() : def;
}

std::string name_of(const json& obj) { return string_field(obj, {"metadata", "name"}); }
std::string namespace_of(const json& obj) { return string_field(obj, {"metadata", "namespace"}); }
std::string uid_of(const json& obj) { return string_field(obj, {"metadata", "uid"}); }
std::string resource_version_of(const json& obj) { return string_field(obj, {"metadata", "resourceVersion"}); }
int64_t generation_of(const json& obj) { return int_field(obj, {"metadata", "generation"}, 0); }

json labels_of(const json& obj) {
  const json& l = field(obj, {"metadata", "labels"});
  return l.is_object() ? l : json::object();
}

bool has_deletion_timestamp(const json& obj) {
  const json& v = field(obj, {"metadata", "deletionTimestamp"});
  return !v.is_null();
}

std::optional<std::chrono::system_clock::time_point> time_field(const json& obj,
                                                                std::initializer_list<const char*> path) {
  const json& v = field(obj, path);
  if (!v.is_string()) return std::nullopt;
  std::chrono::system_clock::time_point t;
  if (!base::parse_rfc3339(v.get<std::string>(), &t)) return std::nullopt;
  return t;
}

json semantic_normal_form(const json& value) {
  if (value.is_object()) {
    json out = json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      json v = semantic_normal_form(it.value());
      if (v.is_null() || (v.is_object() && v.empty()) || (v.is_array() && v.empty())) continue;
      out[it.key()] = std::move(v);
    }
    return out;
  }
  if (value.is_array()) {
    json out = json::array();
    for (const auto& v : value) out.push_back(semantic_normal_form(v));
    return out;
  }
  return value;
}

bool semantically_equal(const json& a, const json& b) { return semantic_normal_form(a) == semantic_normal_form(b); }

bool status_equal(const json& a, const json& b) {
  auto strip = [](const json& s) {
    json out = semantic_normal_form(s);
    if (!out.is_object()) return out;
    for (auto it = out.begin(); it != out.end();) {
      if (it.value().is_number_integer() && it.value().get<int64_t>() == 0) {
        it = out.erase(it);
      } else {
        ++it;
      }
    }
    return out;
  };
  return strip(a) == strip(b);
}

}  // namespace kite::controllers::podcontrol
