// Protobuf <-> JSON forms of Kubernetes' wrapper types: see wrapper_types.h.
#include "api/protobuf/wrapper_types.h"

#include "api/protobuf/wire_reader.h"

namespace kite::api {
namespace {

using json = nlohmann::json;

std::unexpected<base::Status> bad(std::string_view what, const std::string& why) {
  return base::error(base::Reason::BadRequest,
                     "protobuf: malformed " + std::string(what) + ": " + why);
}

// Days since 1970-01-01 -> proleptic Gregorian (year, month, day).
void civil_from_days(int64_t days, int64_t& y, unsigned& m, unsigned& d) {
  days += 719468;  // shift the epoch to 0000-03-01
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);            // [0, 146096]
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const unsigned mp = (5 * doy + 2) / 153;                                     // [0, 11]
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
}

std::string pad(int64_t v, int width) {
  std::string s = std::to_string(v < 0 ? -v : v);
  if (static_cast<int>(s.size()) < width) s.insert(0, width - s.size(), '0');
  return v < 0 ? "-" + s : s;
}

// Appends "." + the fraction of v / 10^digits without trailing zeros (nothing if zero), and
// returns v / 10^digits, as Go's fmtFrac does.
uint64_t frac(std::string& out, uint64_t v, int digits) {
  std::string f;
  bool print = false;
  for (int i = 0; i < digits; ++i) {
    unsigned digit = static_cast<unsigned>(v % 10);
    print = print || digit != 0;
    if (print) f.insert(f.begin(), static_cast<char>('0' + digit));
    v /= 10;
  }
  if (print) out += "." + f;
  return v;
}

struct TimeParts {
  int64_t seconds = 0;
  int32_t nanos = 0;
};

base::Result<TimeParts> read_time(std::string_view what, std::string_view message) {
  TimeParts t;
  WireReader r(message);
  WireField f;
  while (r.next(f)) {
    if (f.type != WireType::Varint) continue;
    if (f.number == 1) t.seconds = static_cast<int64_t>(f.scalar);
    if (f.number == 2) t.nanos = static_cast<int32_t>(f.scalar);
  }
  if (!r.ok()) return bad(what, r.error());
  return t;
}

base::Result<std::optional<json>> int_or_string(std::string_view message, bool omit_zero) {
  int64_t type = 0;
  int32_t int_val = 0;
  std::string str_val;
  WireReader r(message);
  WireField f;
  while (r.next(f)) {
    if (f.number == 1 && f.type == WireType::Varint) type = static_cast<int64_t>(f.scalar);
    if (f.number == 2 && f.type == WireType::Varint) int_val = static_cast<int32_t>(f.scalar);
    if (f.number == 3 && f.type == WireType::LengthDelimited) str_val = std::string(f.bytes);
  }
  if (!r.ok()) return bad("IntOrString", r.error());
  if (type == 0) {
    if (omit_zero && int_val == 0) return std::optional<json>();
    return std::optional<json>(int_val);
  }
  if (type != 1) return bad("IntOrString", "unknown type " + std::to_string(type));
  if (omit_zero && str_val.empty()) return std::optional<json>();
  return std::optional<json>(str_val);
}

// The bytes of field 1 ({string=1} of Quantity, {raw=1} of RawExtension and FieldsV1).
base::Result<std::string_view> first_bytes(std::string_view what, std::string_view message) {
  std::string_view out;
  WireReader r(message);
  WireField f;
  while (r.next(f)) {
    if (f.number == 1 && f.type == WireType::LengthDelimited) out = f.bytes;
  }
  if (!r.ok()) return bad(what, r.error());
  return out;
}

}  // namespace

bool is_protobuf_wrapper(std::string_view n) {
  return n == kTimeDefinition || n == kMicroTimeDefinition || n == kDurationDefinition ||
         n == kIntOrStringDefinition || n == kQuantityDefinition ||
         n == kRawExtensionDefinition || n == kFieldsV1Definition;
}

std::string format_rfc3339_utc(int64_t seconds, int32_t nanos, bool micros) {
  int64_t days = seconds / 86400;
  int64_t rem = seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  std::string out = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(rem / 3600, 2) +
                    ":" + pad(rem / 60 % 60, 2) + ":" + pad(rem % 60, 2);
  if (micros) out += "." + pad((nanos < 0 ? 0 : nanos) / 1000 % 1000000, 6);
  return out + "Z";
}

std::string format_go_duration(int64_t ns) {
  if (ns == 0) return "0s";
  bool neg = ns < 0;
  uint64_t u = neg ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  std::string out;
  if (u < 1000000000ULL) {
    // Below one second: the largest unit that keeps an integer part, with a fraction.
    if (u < 1000) {
      out = std::to_string(u) + "ns";
    } else if (u < 1000000) {
      uint64_t whole = frac(out, u, 3);
      out = std::to_string(whole) + out + "\xc2\xb5s";
    } else {
      uint64_t whole = frac(out, u, 6);
      out = std::to_string(whole) + out + "ms";
    }
  } else {
    std::string fraction;
    uint64_t secs = frac(fraction, u, 9);
    out = std::to_string(secs % 60) + fraction + "s";
    uint64_t mins = secs / 60;
    if (mins > 0) {
      out = std::to_string(mins % 60) + "m" + out;
      uint64_t hours = mins / 60;
      if (hours > 0) out = std::to_string(hours) + "h" + out;
    }
  }
  return neg ? "-" + out : out;
}

base::Result<std::optional<json>> decode_protobuf_wrapper(std::string_view name,
                                                          std::string_view message,
                                                          bool omit_zero) {
  if (name == kTimeDefinition || name == kMicroTimeDefinition) {
    bool micro = name == kMicroTimeDefinition;
    auto t = read_time(micro ? "MicroTime" : "Time", message);
    if (!t) return std::unexpected(t.error());
    if (t->seconds == 0 && t->nanos == 0) return std::optional<json>();  // Go: null
    return std::optional<json>(format_rfc3339_utc(t->seconds, t->nanos, micro));
  }
  if (name == kDurationDefinition) {
    int64_t ns = 0;
    WireReader r(message);
    WireField f;
    while (r.next(f)) {
      if (f.number == 1 && f.type == WireType::Varint) ns = static_cast<int64_t>(f.scalar);
    }
    if (!r.ok()) return bad("Duration", r.error());
    return std::optional<json>(format_go_duration(ns));
  }
  if (name == kIntOrStringDefinition) return int_or_string(message, omit_zero);
  if (name == kQuantityDefinition) {
    auto s = first_bytes("Quantity", message);
    if (!s) return std::unexpected(s.error());
    return std::optional<json>(std::string(*s));
  }
  if (name == kRawExtensionDefinition || name == kFieldsV1Definition) {
    bool raw_ext = name == kRawExtensionDefinition;
    auto raw = first_bytes(raw_ext ? "RawExtension" : "FieldsV1", message);
    if (!raw) return std::unexpected(raw.error());
    if (raw->empty()) return std::optional<json>();
    json parsed = json::parse(*raw, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded())
      return bad(raw_ext ? "RawExtension" : "FieldsV1", "embedded bytes are not JSON");
    return std::optional<json>(std::move(parsed));
  }
  return base::error(base::Reason::InternalError,
                     "protobuf: " + std::string(name) + " is not a wrapper type");
}

}  // namespace kite::api
