// PosixTzRule: the POSIX TZ string a TZif file ends with ("EST5EDT,M3.2.0,M11.1.0"), which
// gives a zone's offsets for instants after its last listed transition.
//
// Parsing and evaluation follow Go's time package (tzset), which kube-controller-manager's
// cron schedules run on: std/dst names (alphabetic or <quoted>), offsets [+-]hh[:mm[:ss]]
// (POSIX sign: positive is west of UTC), dst offset defaulting to std + 1 h, rules Jn, n and
// Mm.w.d with an optional /time (default 02:00:00, may be negative or beyond 24 h), and the
// US rules ",M3.2.0,M11.1.0" when a dst name has no rule. Immutable value, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace kite::controllers::cronjob {

class PosixTzRule {
 public:
  struct Result {
    int32_t utc_offset = 0;  // seconds east of UTC
    bool is_dst = false;
    std::string abbreviation;
  };

  // nullopt when the string is malformed (then the zone has no footer).
  static std::optional<PosixTzRule> parse(const std::string& tz);
  Result at(int64_t unix_seconds) const;

 private:
  enum class Kind { kJulian, kDayOfYear, kMonthWeekDay };
  struct Rule {
    Kind kind = Kind::kMonthWeekDay;
    int day = 0;
    int week = 0;
    int month = 0;
    int32_t time = 7200;  // seconds after local midnight
  };
  // Seconds after the year's UTC start at which `rule` takes effect, given the offset in force.
  static int64_t rule_time(int64_t year, const Rule& rule, int32_t offset);

  std::string std_name_;
  std::string dst_name_;
  int32_t std_offset_ = 0;  // east of UTC
  int32_t dst_offset_ = 0;
  bool has_dst_ = false;
  Rule start_;
  Rule end_;
};

}  // namespace kite::controllers::cronjob
