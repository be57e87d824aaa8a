#include "base/http/types.h"

namespace kite::base::http {

std::string Request::query_value(const std::string& key, const std::string& fallback) const {
  auto [lo, hi] = query.equal_range(key);
  if (lo == hi) return fallback;
  return std::prev(hi)->second;
}

std::string Request::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string decode(const std::string& s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    if (c == '+' && plus_is_space) c = ' ';
    out.push_back(c);
  }
  return out;
}
}  // namespace

std::string percent_decode(const std::string& s) { return decode(s, false); }

std::multimap<std::string, std::string> parse_query(const std::string& query) {
  std::multimap<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    std::string part = query.substr(pos, amp - pos);
    if (!part.empty()) {
      size_t eq = part.find('=');
      if (eq == std::string::npos) {
        out.emplace(decode(part, true), "");
      } else {
        out.emplace(decode(part.substr(0, eq), true), decode(part.substr(eq + 1), true));
      }
    }
    pos = amp + 1;
  }
  return out;
}

}  // namespace kite::base::http
