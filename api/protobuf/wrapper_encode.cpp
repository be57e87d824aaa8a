// JSON -> protobuf forms of Kubernetes' wrapper types, and the time/duration parsers: see
// wrapper_types.h.
#include <cmath>

#include "api/protobuf/wire_writer.h"
#include "api/protobuf/wrapper_types.h"

namespace kite::api {
namespace {

using json = nlohmann::json;

// Proleptic Gregorian (year, month, day) -> days since 1970-01-01.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool digits(std::string_view s, size_t pos, size_t n, int64_t& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::unexpected<base::Status> bad(std::string_view what, const json& v) {
  return base::error(base::Reason::BadRequest, "protobuf: cannot encode " + v.dump() + " as " +
                                                   std::string(what));
}

}  // namespace

bool parse_rfc3339(std::string_view s, int64_t& seconds, int32_t& nanos) {
  int64_t y, mo, d, h, mi, se;
  if (!digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, mo) ||
      s[7] != '-' || !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') ||
      !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' ||
      !digits(s, 17, 2, se))
    return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return false;
  size_t pos = 19;
  nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int n = 0;
    int64_t scale = 100000000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 9) nanos += static_cast<int32_t>((s[pos] - '0') * scale);
      scale /= 10;
      ++n;
      ++pos;
    }
    if (n == 0) return false;
  }
  int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int64_t oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, om))
      return false;
    offset = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return false;
  }
  if (pos != s.size()) return false;
  seconds = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
            h * 3600 + mi * 60 + se - offset;
  return true;
}

bool parse_go_duration(std::string_view s, int64_t& ns) {
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    ns = 0;
    return true;
  }
  if (s.empty()) return false;
  long double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    long double v = 0;
    bool any = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') v = v * 10 + (s[i++] - '0'), any = true;
    if (i < s.size() && s[i] == '.') {
      ++i;
      long double scale = 0.1L;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        v += (s[i++] - '0') * scale;
        scale /= 10;
        any = true;
      }
    }
    if (!any) return false;
    s.remove_prefix(i);
    static const std::pair<std::string_view, long double> units[] = {
        {"ns", 1}, {"us", 1e3L}, {"\xc2\xb5s", 1e3L}, {"\xce\xbcs", 1e3L}, {"ms", 1e6L},
        {"s", 1e9L}, {"m", 6e10L}, {"h", 3.6e12L}};
    long double unit = 0;
    size_t best = 0;
    for (const auto& [name, mult] : units) {
      if (s.substr(0, name.size()) == name && name.size() > best) {
        unit = mult;
        best = name.size();
      }
    }
    if (best == 0) return false;
    s.remove_prefix(best);
    total += v * unit;
  }
  if (total > 9.2e18L) return false;
  ns = static_cast<int64_t>(std::llround(static_cast<double>(total)));
  if (neg) ns = -ns;
  return true;
}

base::Result<std::string> encode_protobuf_wrapper(std::string_view name, const json& v) {
  WireWriter w;
  if (name == kTimeDefinition || name == kMicroTimeDefinition) {
    int64_t sec = 0;
    int32_t nanos = 0;
    if (!v.is_string() || !parse_rfc3339(v.get<std::string>(), sec, nanos))
      return bad("an RFC 3339 time", v);
    if (name == kTimeDefinition) nanos = 0;  // metav1.Time has second precision
    w.varint(1, static_cast<uint64_t>(sec));
    w.varint(2, static_cast<uint64_t>(static_cast<int64_t>(nanos)));
  } else if (name == kDurationDefinition) {
    int64_t ns = 0;
    if (!v.is_string() || !parse_go_duration(v.get<std::string>(), ns))
      return bad("a duration", v);
    w.varint(1, static_cast<uint64_t>(ns));
  } else if (name == kIntOrStringDefinition) {
    if (v.is_number_integer()) {
      w.varint(1, 0);
      w.varint(2, static_cast<uint64_t>(static_cast<int64_t>(v.get<int32_t>())));
    } else if (v.is_string()) {
      w.varint(1, 1);
      w.bytes(3, v.get<std::string>());
    } else {
      return bad("an IntOrString", v);
    }
  } else if (name == kQuantityDefinition) {
    if (v.is_string()) w.bytes(1, v.get<std::string>());
    else if (v.is_number()) w.bytes(1, v.dump());
    else return bad("a Quantity", v);
  } else if (name == kRawExtensionDefinition || name == kFieldsV1Definition) {
    w.bytes(1, v.dump());
  } else {
    return base::error(base::Reason::InternalError,
                       "protobuf: " + std::string(name) + " is not a wrapper type");
  }
  return w.take();
}

}  // namespace kite::api
