#include "api/validation/quantity.h"

#include <cmath>
#include <string>

namespace kite::api::validation {

std::optional<long double> parse_quantity(const nlohmann::json& v) {
  if (v.is_number()) return v.get<long double>();
  if (!v.is_string()) return std::nullopt;
  const std::string s = v.get<std::string>();
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t digits_start = i;
  bool digits = false;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) {
    if (s[i] != '.') digits = true;
    ++i;
  }
  if (!digits) return std::nullopt;
  long double number = 0;
  try {
    number = std::stold(s.substr(0, i));
  } catch (...) {
    return std::nullopt;
  }
  (void)digits_start;
  std::string suffix = s.substr(i);
  static const std::pair<const char*, long double> kSuffixes[] = {
      {"", 1},         {"n", 1e-9L},   {"u", 1e-6L},   {"m", 1e-3L},  {"k", 1e3L},
      {"M", 1e6L},     {"G", 1e9L},    {"T", 1e12L},   {"P", 1e15L},  {"E", 1e18L},
      {"Ki", 1024.0L}, {"Mi", std::pow(1024.0L, 2)},   {"Gi", std::pow(1024.0L, 3)},
      {"Ti", std::pow(1024.0L, 4)},    {"Pi", std::pow(1024.0L, 5)},  {"Ei", std::pow(1024.0L, 6)}};
  for (const auto& [name, mult] : kSuffixes)
    if (suffix == name) return number * mult;
  if (!suffix.empty() && (suffix[0] == 'e' || suffix[0] == 'E')) {
    try {
      size_t used = 0;
      int exp = std::stoi(suffix.substr(1), &used);
      if (used + 1 != suffix.size()) return std::nullopt;
      return number * std::pow(10.0L, exp);
    } catch (...) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace kite::api::validation
