// CronSchedule: a CronJob's spec.schedule, parsed and evaluated exactly as
// kube-controller-manager does it (robfig/cron v3 `ParseStandard` + `Schedule.Next`).
//
// Syntax: five fields "minute hour day-of-month month day-of-week" (0-59, 0-23, 1-31, 1-12 or
// JAN-DEC, 0-6 or SUN-SAT; names case-insensitive), each a comma list of `*`/`?`, `N`, `N-M`,
// with an optional `/step` (`N/step` means N-max/step). When both day fields are restricted a
// day matches if either matches; if either is `*` (or `?`, or a `*/1`) both must match. Also
// the descriptors @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly and
// `@every <Go duration>` (rounded down to whole seconds, at least 1 s), and a leading
// `TZ=<zone>` or `CRON_TZ=<zone>` that sets the zone the fields are read in (the controller
// warns about it, as upstream). Without one, fields are read in `default_zone`.
//
// next(t) is the first activation strictly after t (sub-second parts dropped). It walks local
// wall-clock time the way robfig/cron does, including its DST behaviour: a time that falls in a
// spring-forward gap is skipped, a time repeated by a fall-back transition fires twice, and a
// schedule that never matches (e.g. Feb 30) gives nullopt after searching five years.
//
// Immutable after parse; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/status.h"
#include "server/controllers/cronjob/time_zone.h"

namespace kite::controllers::cronjob {

class CronSchedule {
 public:
  using time_point = std::chrono::system_clock::time_point;

  // BadRequest with robfig/cron's message on a malformed spec or unknown zone.
  static base::Result<CronSchedule> parse(const std::string& spec,
                                          std::shared_ptr<const TimeZone> default_zone = TimeZone::local());

  std::optional<time_point> next(time_point t) const;
  const TimeZone& zone() const { return *zone_; }

  // Field bit sets (bit n = value n matches; bit 63 = the field was `*`). For tests.
  uint64_t minutes() const { return minute_; }
  uint64_t hours() const { return hour_; }
  uint64_t days_of_month() const { return dom_; }
  uint64_t months() const { return month_; }
  uint64_t days_of_week() const { return dow_; }

 private:
  CronSchedule() = default;
  std::optional<int64_t> next_second(int64_t unix_seconds) const;

  uint64_t minute_ = 0, hour_ = 0, dom_ = 0, month_ = 0, dow_ = 0;
  std::optional<std::chrono::nanoseconds> every_;  // @every
  std::shared_ptr<const TimeZone> zone_;
};

}  // namespace kite::controllers::cronjob
