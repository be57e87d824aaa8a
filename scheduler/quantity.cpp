#include "scheduler/quantity.h"

#include <cctype>
#include <cmath>
#include <limits>
#include <string>

namespace kite::scheduler {
namespace {

using i128 = __int128;
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

struct Parsed {
  bool negative = false;
  i128 mantissa = 0;  // all digits, integer and fraction
  int exp10 = 0;      // decimal exponent applied to mantissa
  int exp2 = 0;       // binary exponent (Ki = 10, Mi = 20, ...)
};

std::optional<Parsed> parse(std::string_view s) {
  Parsed p;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    p.negative = s[i] == '-';
    ++i;
  }
  int digits = 0, significant = 0;
  bool seen_dot = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.') {
      if (seen_dot) return std::nullopt;
      seen_dot = true;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c))) break;
    ++digits;
    if (p.mantissa == 0 && c == '0') {
      if (seen_dot) --p.exp10;
      continue;
    }
    if (significant >= 30) {  // beyond int128 comfort: drop the digit, keep the magnitude
      if (!seen_dot) ++p.exp10;
      continue;
    }
    p.mantissa = p.mantissa * 10 + (c - '0');
    ++significant;
    if (seen_dot) --p.exp10;
  }
  if (digits == 0) return std::nullopt;
  std::string_view suffix = s.substr(i);
  if (suffix.empty()) return p;
  struct Suffix {
    std::string_view name;
    int exp10, exp2;
  };
  static constexpr Suffix kSuffixes[] = {{"n", -9, 0}, {"u", -6, 0},  {"m", -3, 0},  {"k", 3, 0},   {"M", 6, 0},
                                         {"G", 9, 0},  {"T", 12, 0},  {"P", 15, 0},  {"E", 18, 0},  {"Ki", 0, 10},
                                         {"Mi", 0, 20}, {"Gi", 0, 30}, {"Ti", 0, 40}, {"Pi", 0, 50}, {"Ei", 0, 60}};
  for (const auto& sfx : kSuffixes) {
    if (suffix == sfx.name) {
      p.exp10 += sfx.exp10;
      p.exp2 += sfx.exp2;
      return p;
    }
  }
  if (suffix[0] == 'e' || suffix[0] == 'E') {
    size_t j = 1;
    bool neg = false;
    if (j < suffix.size() && (suffix[j] == '+' || suffix[j] == '-')) neg = suffix[j++] == '-';
    if (j == suffix.size()) return std::nullopt;
    int e = 0;
    for (; j < suffix.size(); ++j) {
      if (!std::isdigit(static_cast<unsigned char>(suffix[j]))) return std::nullopt;
      e = e * 10 + (suffix[j] - '0');
      if (e > 400) return std::nullopt;
    }
    p.exp10 += neg ? -e : e;
    return p;
  }
  return std::nullopt;
}

// ceil(mantissa * 2^exp2 * 10^exp10), clamped to int64.
int64_t evaluate(const Parsed& p) {
  if (p.mantissa == 0) return 0;
  i128 v = p.mantissa;
  const i128 limit = static_cast<i128>(kMax) * 1000;  // headroom before the final clamp
  for (int k = 0; k < p.exp2; ++k) {
    v *= 2;
    if (v > limit) return p.negative ? -kMax : kMax;
  }
  if (p.exp10 >= 0) {
    for (int k = 0; k < p.exp10; ++k) {
      v *= 10;
      if (v > limit) return p.negative ? -kMax : kMax;
    }
  } else {
    i128 div = 1;
    int e = -p.exp10;
    for (int k = 0; k < e; ++k) {
      div *= 10;
      if (div > v) {  // the value is below 1: ceil gives 1 (or 0 when negative)
        return p.negative ? 0 : 1;
      }
    }
    i128 q = v / div, r = v % div;
    if (r != 0 && !p.negative) ++q;  // round away from zero upwards, as MilliValue() does
    v = q;
  }
  if (v > kMax) v = kMax;
  return p.negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
}

}  // namespace

std::optional<int64_t> parse_quantity(std::string_view text) {
  auto p = parse(text);
  if (!p) return std::nullopt;
  return evaluate(*p);
}

std::optional<int64_t> parse_milli_quantity(std::string_view text) {
  auto p = parse(text);
  if (!p) return std::nullopt;
  p->exp10 += 3;
  return evaluate(*p);
}

std::optional<int64_t> milli_quantity(const nlohmann::json& v) {
  if (v.is_number_integer()) {
    int64_t n = v.get<int64_t>();
    if (n > kMax / 1000) return kMax;
    if (n < -kMax / 1000) return -kMax;
    return n * 1000;
  }
  if (v.is_number()) return static_cast<int64_t>(std::ceil(v.get<double>() * 1000));
  if (v.is_string()) return parse_milli_quantity(v.get_ref<const std::string&>());
  return std::nullopt;
}

std::optional<int64_t> quantity(const nlohmann::json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number()) return static_cast<int64_t>(std::ceil(v.get<double>()));
  if (v.is_string()) return parse_quantity(v.get_ref<const std::string&>());
  return std::nullopt;
}

}  // namespace kite::scheduler
