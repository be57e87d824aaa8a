#include "api/patch/json_pointer.h"

namespace kite::api {

std::optional<std::vector<std::string>> parse_json_pointer(const std::string& pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer[0] != '/') return std::nullopt;
  std::string cur;
  for (size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(std::move(cur));
      cur.clear();
      continue;
    }
    char c = pointer[i];
    if (c == '~') {
      if (i + 1 >= pointer.size()) return std::nullopt;
      char n = pointer[++i];
      if (n == '0') {
        cur += '~';
      } else if (n == '1') {
        cur += '/';
      } else {
        return std::nullopt;
      }
    } else {
      cur += c;
    }
  }
  return tokens;
}

std::optional<size_t> parse_array_index(const std::string& token) {
  if (token.empty() || token.size() > 18) return std::nullopt;
  if (token.size() > 1 && token[0] == '0') return std::nullopt;
  size_t v = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<size_t>(c - '0');
  }
  return v;
}

const json* resolve_json_pointer(const json& doc, const std::vector<std::string>& tokens) {
  const json* cur = &doc;
  for (const auto& t : tokens) {
    if (cur->is_object()) {
      auto it = cur->find(t);
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else if (cur->is_array()) {
      auto idx = parse_array_index(t);
      if (!idx || *idx >= cur->size()) return nullptr;
      cur = &(*cur)[*idx];
    } else {
      return nullptr;
    }
  }
  return cur;
}

json* resolve_json_pointer(json& doc, const std::vector<std::string>& tokens) {
  return const_cast<json*>(resolve_json_pointer(static_cast<const json&>(doc), tokens));
}

}  // namespace kite::api
