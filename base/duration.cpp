#include "base/duration.h"

#include <cctype>
#include <algorithm>
#include <cmath>

namespace kite::base {

namespace {

// Nanoseconds per unit, or 0 when `unit` is not one.
double unit_nanos(const std::string& unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xC2\xB5s") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  if (unit == "m") return 60e9;
  if (unit == "h") return 3600e9;
  return 0;
}

}  // namespace

Result<std::chrono::nanoseconds> parse_duration(const std::string& text) {
  auto invalid = [&](const std::string& why) {
    return error(Reason::BadRequest, "invalid duration \"" + text + "\": " + why);
  };
  if (text.empty()) return invalid("empty");
  if (text == "0") return std::chrono::nanoseconds(0);
  double total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (i == start) return invalid("expected a number at \"" + text.substr(start) + "\"");
    std::string number = text.substr(start, i - start);
    if (number == "." || std::count(number.begin(), number.end(), '.') > 1) return invalid("bad number " + number);
    size_t unit_start = i;
    while (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i])) && text[i] != '.') ++i;
    std::string unit = text.substr(unit_start, i - unit_start);
    if (unit.empty()) return invalid("missing unit after " + number);
    double nanos = unit_nanos(unit);
    if (nanos == 0) return invalid("unknown unit \"" + unit + "\"");
    total += std::stod(number) * nanos;
  }
  if (total > 9.2e18) return invalid("too large");
  return std::chrono::nanoseconds(static_cast<int64_t>(std::llround(total)));
}

}  // namespace kite::base
