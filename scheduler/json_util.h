// Small non-throwing accessors for reading Kubernetes objects held as nlohmann::json: a
// missing field or one of the wrong type reads as absent. Internal to scheduler/.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace kite::scheduler::jsonu {

using json = nlohmann::json;

// The member `key` of object `j`, or nullptr.
inline const json* member(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}
inline const json* object(const json& j, const char* key) {
  const json* m = member(j, key);
  return m && m->is_object() ? m : nullptr;
}
inline const json* array(const json& j, const char* key) {
  const json* m = member(j, key);
  return m && m->is_array() ? m : nullptr;
}
inline std::string string(const json& j, const char* key, const std::string& fallback = "") {
  const json* m = member(j, key);
  return m && m->is_string() ? m->get<std::string>() : fallback;
}
inline int64_t integer(const json& j, const char* key, int64_t fallback = 0) {
  const json* m = member(j, key);
  return m && m->is_number_integer() ? m->get<int64_t>() : fallback;
}
inline bool boolean(const json& j, const char* key, bool fallback = false) {
  const json* m = member(j, key);
  return m && m->is_boolean() ? m->get<bool>() : fallback;
}

}  // namespace kite::scheduler::jsonu
