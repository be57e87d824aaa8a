#include "server/controllers/cronjob/posix_tz_rule.h"

#include <cctype>

#include "server/controllers/cronjob/civil_time.h"

namespace kite::controllers::cronjob {
namespace {

class Cursor {
 public:
  explicit Cursor(const std::string& s) : s_(s) {}
  bool done() const { return pos_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[pos_]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }

  // A zone abbreviation: 3+ letters, or <...> with letters, digits, '+' and '-'.
  std::optional<std::string> name() {
    std::string out;
    if (eat('<')) {
      while (!done() && peek() != '>') out += s_[pos_++];
      if (!eat('>')) return std::nullopt;
    } else {
      while (!done() && std::isalpha(static_cast<unsigned char>(peek()))) out += s_[pos_++];
    }
    if (out.size() < 3) return std::nullopt;
    return out;
  }

  std::optional<int> number(int min, int max) {
    if (done() || !std::isdigit(static_cast<unsigned char>(peek()))) return std::nullopt;
    long v = 0;
    while (!done() && std::isdigit(static_cast<unsigned char>(peek()))) {
      v = v * 10 + (s_[pos_++] - '0');
      if (v > 100000) return std::nullopt;
    }
    if (v < min || v > max) return std::nullopt;
    return static_cast<int>(v);
  }

  // [+-]hh[:mm[:ss]] in seconds; `max_hours` is 24 for offsets and 167 for rule times.
  std::optional<int32_t> duration(int max_hours) {
    int sign = 1;
    if (eat('-')) {
      sign = -1;
    } else {
      eat('+');
    }
    auto h = number(0, max_hours);
    if (!h) return std::nullopt;
    int32_t secs = *h * 3600;
    if (eat(':')) {
      auto m = number(0, 59);
      if (!m) return std::nullopt;
      secs += *m * 60;
      if (eat(':')) {
        auto s = number(0, 59);
        if (!s) return std::nullopt;
        secs += *s;
      }
    }
    return sign * secs;
  }

 private:
  const std::string& s_;
  size_t pos_ = 0;
};

}  // namespace

std::optional<PosixTzRule> PosixTzRule::parse(const std::string& tz) {
  Cursor c(tz);
  PosixTzRule out;
  auto std_name = c.name();
  if (!std_name) return std::nullopt;
  auto std_off = c.duration(24);
  if (!std_off) return std::nullopt;
  out.std_name_ = *std_name;
  out.std_offset_ = -*std_off;
  if (c.done()) return out;

  auto dst_name = c.name();
  if (!dst_name) return std::nullopt;
  out.dst_name_ = *dst_name;
  out.has_dst_ = true;
  out.dst_offset_ = out.std_offset_ + 3600;
  if (!c.done() && c.peek() != ',') {
    auto dst_off = c.duration(24);
    if (!dst_off) return std::nullopt;
    out.dst_offset_ = -*dst_off;
  }
  if (c.done()) {
    // No rule: the US rules, as Go assumes.
    out.start_ = Rule{Kind::kMonthWeekDay, 0, 2, 3, 7200};
    out.end_ = Rule{Kind::kMonthWeekDay, 0, 1, 11, 7200};
    return out;
  }

  auto parse_rule = [&c](Rule& r) -> bool {
    if (!c.eat(',')) return false;
    if (c.eat('J')) {
      auto d = c.number(1, 365);
      if (!d) return false;
      r.kind = Kind::kJulian;
      r.day = *d;
    } else if (c.eat('M')) {
      auto m = c.number(1, 12);
      if (!m || !c.eat('.')) return false;
      auto w = c.number(1, 5);
      if (!w || !c.eat('.')) return false;
      auto d = c.number(0, 6);
      if (!d) return false;
      r.kind = Kind::kMonthWeekDay;
      r.month = *m;
      r.week = *w;
      r.day = *d;
    } else {
      auto d = c.number(0, 365);
      if (!d) return false;
      r.kind = Kind::kDayOfYear;
      r.day = *d;
    }
    r.time = 7200;
    if (c.eat('/')) {
      auto t = c.duration(167);
      if (!t) return false;
      r.time = *t;
    }
    return true;
  };
  if (!parse_rule(out.start_) || !parse_rule(out.end_) || !c.done()) return std::nullopt;
  return out;
}

int64_t PosixTzRule::rule_time(int64_t year, const Rule& r, int32_t offset) {
  int64_t day = 0;
  switch (r.kind) {
    case Kind::kJulian:
      day = r.day - 1;
      if (is_leap_year(year) && r.day >= 60) ++day;
      break;
    case Kind::kDayOfYear:
      day = r.day;
      break;
    case Kind::kMonthWeekDay: {
      int64_t first = days_from_civil(year, r.month, 1);
      int64_t next_month = days_from_civil(year, r.month + 1, 1);
      int64_t d = r.day - weekday_from_days(first);
      if (d < 0) d += 7;
      for (int i = 1; i < r.week; ++i) {
        if (d + 7 >= next_month - first) break;
        d += 7;
      }
      day = first - days_from_civil(year, 1, 1) + d;
      break;
    }
  }
  return day * 86400 + r.time - offset;
}

PosixTzRule::Result PosixTzRule::at(int64_t unix_seconds) const {
  if (!has_dst_) return {std_offset_, false, std_name_};
  int64_t year = civil_from_days(floor_div(unix_seconds, 86400)).year;
  int64_t year_start = days_from_civil(year, 1, 1) * 86400;
  int64_t ysec = unix_seconds - year_start;
  int64_t start = rule_time(year, start_, std_offset_);
  int64_t end = rule_time(year, end_, dst_offset_);
  Result std_result{std_offset_, false, std_name_};
  Result dst_result{dst_offset_, true, dst_name_};
  if (end < start) {
    // Southern hemisphere: daylight time spans the new year.
    std::swap(start, end);
    std::swap(std_result, dst_result);
  }
  if (ysec < start || ysec >= end) return std_result;
  return dst_result;
}

}  // namespace kite::controllers::cronjob
