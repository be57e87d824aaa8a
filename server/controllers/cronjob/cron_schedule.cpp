#include "server/controllers/cronjob/cron_schedule.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>
#include <vector>

#include "server/controllers/cronjob/civil_time.h"

namespace kite::controllers::cronjob {
namespace {

constexpr uint64_t kStarBit = uint64_t{1} << 63;

struct Bounds {
  unsigned min, max;
  const std::map<std::string, unsigned>* names;
};

const std::map<std::string, unsigned> kMonthNames = {{"jan", 1}, {"feb", 2},  {"mar", 3},  {"apr", 4},
                                                     {"may", 5}, {"jun", 6},  {"jul", 7},  {"aug", 8},
                                                     {"sep", 9}, {"oct", 10}, {"nov", 11}, {"dec", 12}};
const std::map<std::string, unsigned> kDayNames = {{"sun", 0}, {"mon", 1}, {"tue", 2}, {"wed", 3},
                                                   {"thu", 4}, {"fri", 5}, {"sat", 6}};
const Bounds kMinutes{0, 59, nullptr};
const Bounds kHours{0, 23, nullptr};
const Bounds kDom{1, 31, nullptr};
const Bounds kMonths{1, 12, &kMonthNames};
const Bounds kDow{0, 6, &kDayNames};

base::Status bad(const std::string& msg) { return base::Status(base::Reason::BadRequest, msg); }

uint64_t bits(unsigned min, unsigned max, unsigned step) {
  if (step == 1) return (~(~uint64_t{0} << (max + 1))) & (~uint64_t{0} << min);
  uint64_t b = 0;
  for (unsigned i = min; i <= max; i += step) b |= uint64_t{1} << i;
  return b;
}
uint64_t all(const Bounds& b) { return bits(b.min, b.max, 1) | kStarBit; }

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// strconv.Atoi, then non-negative.
base::Result<unsigned> must_parse_int(const std::string& expr) {
  size_t i = 0;
  bool negative = false;
  if (!expr.empty() && (expr[0] == '+' || expr[0] == '-')) {
    negative = expr[0] == '-';
    i = 1;
  }
  if (i == expr.size()) return std::unexpected(bad("failed to parse int from " + expr + ": invalid syntax"));
  long long v = 0;
  for (; i < expr.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(expr[i])))
      return std::unexpected(bad("failed to parse int from " + expr + ": invalid syntax"));
    v = v * 10 + (expr[i] - '0');
    if (v > (1LL << 40)) return std::unexpected(bad("failed to parse int from " + expr + ": value out of range"));
  }
  if (negative && v != 0)
    return std::unexpected(bad("negative number (-" + std::to_string(v) + ") not allowed: " + expr));
  return static_cast<unsigned>(std::min<long long>(v, 1 << 30));
}

base::Result<unsigned> parse_int_or_name(const std::string& expr, const Bounds& b) {
  if (b.names != nullptr) {
    std::string lower = expr;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (auto it = b.names->find(lower); it != b.names->end()) return it->second;
  }
  return must_parse_int(expr);
}

base::Result<uint64_t> get_range(const std::string& expr, const Bounds& b) {
  auto range_and_step = split(expr, '/');
  auto low_and_high = split(range_and_step[0], '-');
  bool single = low_and_high.size() == 1;
  unsigned start = 0, end = 0, step = 1;
  uint64_t extra = 0;
  if (low_and_high[0] == "*" || low_and_high[0] == "?") {
    start = b.min;
    end = b.max;
    extra = kStarBit;
  } else {
    auto s = parse_int_or_name(low_and_high[0], b);
    if (!s) return std::unexpected(s.error());
    start = *s;
    if (low_and_high.size() == 1) {
      end = start;
    } else if (low_and_high.size() == 2) {
      auto e = parse_int_or_name(low_and_high[1], b);
      if (!e) return std::unexpected(e.error());
      end = *e;
    } else {
      return std::unexpected(bad("too many hyphens: " + expr));
    }
  }
  if (range_and_step.size() == 2) {
    auto st = must_parse_int(range_and_step[1]);
    if (!st) return std::unexpected(st.error());
    step = *st;
    if (single) end = b.max;  // "N/step" means "N-max/step"
    if (step > 1) extra = 0;
  } else if (range_and_step.size() > 2) {
    return std::unexpected(bad("too many slashes: " + expr));
  }
  if (start < b.min)
    return std::unexpected(bad("beginning of range (" + std::to_string(start) + ") below minimum (" +
                               std::to_string(b.min) + "): " + expr));
  if (end > b.max)
    return std::unexpected(bad("end of range (" + std::to_string(end) + ") above maximum (" +
                               std::to_string(b.max) + "): " + expr));
  if (start > end)
    return std::unexpected(bad("beginning of range (" + std::to_string(start) + ") beyond end of range (" +
                               std::to_string(end) + "): " + expr));
  if (step == 0) return std::unexpected(bad("step of range should be a positive number: " + expr));
  return bits(start, end, step) | extra;
}

base::Result<uint64_t> get_field(const std::string& field, const Bounds& b) {
  uint64_t out = 0;
  for (const auto& expr : split(field, ',')) {
    auto r = get_range(expr, b);
    if (!r) return std::unexpected(r.error());
    out |= *r;
  }
  return out;
}

// Go's time.ParseDuration (units ns, us, µs, ms, s, m, h; fractions allowed).
base::Result<std::chrono::nanoseconds> parse_go_duration(const std::string& s) {
  auto err = [&s] { return std::unexpected(bad("failed to parse duration " + s + ": time: invalid duration \"" + s + "\"")); };
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
  if (s.substr(i) == "0") return std::chrono::nanoseconds(0);
  if (i == s.size()) return err();
  long double total = 0;
  while (i < s.size()) {
    size_t start = i;
    long double value = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) value = value * 10 + (s[i++] - '0');
    bool digits = i > start;
    if (i < s.size() && s[i] == '.') {
      ++i;
      long double scale = 0.1L;
      size_t frac_start = i;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
        value += scale * (s[i++] - '0');
        scale /= 10;
      }
      digits = digits || i > frac_start;
    }
    if (!digits) return err();
    size_t unit_start = i;
    while (i < s.size() && !std::isdigit(static_cast<unsigned char>(s[i])) && s[i] != '.') ++i;
    std::string unit = s.substr(unit_start, i - unit_start);
    long double mult = 0;
    if (unit == "ns") mult = 1;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") mult = 1e3L;
    else if (unit == "ms") mult = 1e6L;
    else if (unit == "s") mult = 1e9L;
    else if (unit == "m") mult = 60e9L;
    else if (unit == "h") mult = 3600e9L;
    else return std::unexpected(bad("failed to parse duration " + s + ": time: " +
                                    (unit.empty() ? "missing unit in duration \"" : "unknown unit \"" + unit + "\" in duration \"") + s + "\""));
    total += value * mult;
    if (total > 9.2e18L) return err();
  }
  auto ns = std::chrono::nanoseconds(static_cast<int64_t>(total));
  return negative ? -ns : ns;
}

}  // namespace

base::Result<CronSchedule> CronSchedule::parse(const std::string& spec_in, std::shared_ptr<const TimeZone> default_zone) {
  if (spec_in.empty()) return std::unexpected(bad("empty spec string"));
  std::string spec = spec_in;
  CronSchedule s;
  s.zone_ = default_zone ? std::move(default_zone) : TimeZone::utc();
  if (spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=")) {
    size_t sp = spec.find(' ');
    size_t eq = spec.find('=');
    std::string name = spec.substr(eq + 1, sp == std::string::npos ? std::string::npos : sp - eq - 1);
    auto zone = TimeZone::load(name);
    if (!zone) return std::unexpected(bad("provided bad location " + name + ": " + zone.error().message()));
    s.zone_ = *zone;
    spec = sp == std::string::npos ? std::string() : spec.substr(sp);
    size_t b = spec.find_first_not_of(" \t\n\r\v\f");
    spec = b == std::string::npos ? std::string() : spec.substr(b, spec.find_last_not_of(" \t\n\r\v\f") - b + 1);
  }
  if (spec.starts_with("@")) {
    if (spec == "@yearly" || spec == "@annually") {
      s.minute_ = 1, s.hour_ = 1, s.dom_ = 1 << 1, s.month_ = 1 << 1, s.dow_ = all(kDow);
    } else if (spec == "@monthly") {
      s.minute_ = 1, s.hour_ = 1, s.dom_ = 1 << 1, s.month_ = all(kMonths), s.dow_ = all(kDow);
    } else if (spec == "@weekly") {
      s.minute_ = 1, s.hour_ = 1, s.dom_ = all(kDom), s.month_ = all(kMonths), s.dow_ = 1;
    } else if (spec == "@daily" || spec == "@midnight") {
      s.minute_ = 1, s.hour_ = 1, s.dom_ = all(kDom), s.month_ = all(kMonths), s.dow_ = all(kDow);
    } else if (spec == "@hourly") {
      s.minute_ = 1, s.hour_ = all(kHours), s.dom_ = all(kDom), s.month_ = all(kMonths), s.dow_ = all(kDow);
    } else if (spec.starts_with("@every ")) {
      auto d = parse_go_duration(spec.substr(7));
      if (!d) return std::unexpected(d.error());
      auto delay = std::max<std::chrono::nanoseconds>(*d, std::chrono::seconds(1));
      s.every_ = delay - delay % std::chrono::seconds(1);
    } else {
      return std::unexpected(bad("unrecognized descriptor: " + spec));
    }
    return s;
  }
  std::vector<std::string> fields;
  {
    std::istringstream in(spec);
    std::string f;
    while (in >> f) fields.push_back(f);
  }
  if (fields.size() != 5)
    return std::unexpected(bad("expected exactly 5 fields, found " + std::to_string(fields.size()) + ": " + spec));
  const Bounds* bounds[5] = {&kMinutes, &kHours, &kDom, &kMonths, &kDow};
  uint64_t* out[5] = {&s.minute_, &s.hour_, &s.dom_, &s.month_, &s.dow_};
  for (int i = 0; i < 5; ++i) {
    auto f = get_field(fields[i], *bounds[i]);
    if (!f) return std::unexpected(f.error());
    *out[i] = *f;
  }
  return s;
}

std::optional<CronSchedule::time_point> CronSchedule::next(time_point t) const {
  using namespace std::chrono;
  if (every_) {
    auto since = t.time_since_epoch();
    auto sub = since - floor<seconds>(since);
    return t + duration_cast<system_clock::duration>(*every_ - sub);
  }
  int64_t secs = floor<seconds>(t.time_since_epoch()).count();
  auto n = next_second(secs);
  if (!n) return std::nullopt;
  return time_point(seconds(*n));
}

// robfig/cron's SpecSchedule.Next on whole seconds, walking the zone's wall-clock time.
std::optional<int64_t> CronSchedule::next_second(int64_t unix_seconds) const {
  const TimeZone& z = *zone_;
  struct Fields {
    int64_t year;
    int month, day, hour, minute, second, weekday;
  };
  auto fields = [&z](int64_t u) {
    int64_t local = u + z.offset_at(u);
    int64_t days = floor_div(local, 86400);
    int64_t sod = floor_mod(local, 86400);
    CivilDate d = civil_from_days(days);
    return Fields{d.year, d.month, d.day, static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                  static_cast<int>(sod % 60), weekday_from_days(days)};
  };
  auto date = [&z](int64_t y, int64_t mo, int64_t d, int64_t h, int64_t mi, int64_t s) {
    return z.to_utc(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s);
  };
  auto day_matches = [this](const Fields& f) {
    bool dom_match = (uint64_t{1} << f.day) & dom_;
    bool dow_match = (uint64_t{1} << f.weekday) & dow_;
    if ((dom_ & kStarBit) || (dow_ & kStarBit)) return dom_match && dow_match;
    return dom_match || dow_match;
  };

  int64_t t = unix_seconds + 1;
  bool added = false;
  const int64_t year_limit = fields(t).year + 5;

wrap:
  Fields f = fields(t);
  if (f.year > year_limit) return std::nullopt;

  while (((uint64_t{1} << f.month) & month_) == 0) {
    if (!added) {
      added = true;
      t = date(f.year, f.month, 1, 0, 0, 0);
      f = fields(t);
    }
    t = date(f.year, f.month + 1, f.day, f.hour, f.minute, f.second);
    f = fields(t);
    if (f.month == 1) goto wrap;
  }

  while (!day_matches(f)) {
    if (!added) {
      added = true;
      t = date(f.year, f.month, f.day, 0, 0, 0);
      f = fields(t);
    }
    t = date(f.year, f.month, f.day + 1, f.hour, f.minute, f.second);
    f = fields(t);
    if (f.hour != 0) {
      // Midnight does not exist on some DST days: move back to (or forward to) midnight.
      t += f.hour > 12 ? (24 - f.hour) * 3600 : -f.hour * 3600;
      f = fields(t);
    }
    if (f.day == 1) goto wrap;
  }

  while (((uint64_t{1} << f.hour) & hour_) == 0) {
    if (!added) {
      added = true;
      t = date(f.year, f.month, f.day, f.hour, 0, 0);
    }
    t += 3600;
    f = fields(t);
    if (f.hour == 0) goto wrap;
  }

  while (((uint64_t{1} << f.minute) & minute_) == 0) {
    if (!added) {
      added = true;
      t -= floor_mod(t, 60);
    }
    t += 60;
    f = fields(t);
    if (f.minute == 0) goto wrap;
  }

  // Seconds: only second 0 matches in the standard five-field form.
  while (f.second != 0) {
    added = true;
    t += 1;
    f = fields(t);
    if (f.second == 0) goto wrap;
  }
  return t;
}

}  // namespace kite::controllers::cronjob
