// TimeZone: an IANA time zone read from the system tz database (TZif files under
// /usr/share/zoneinfo, or $ZONEINFO), with the two conversions the cron schedule needs:
// the UTC offset in force at an instant, and the instant of a local wall-clock time.
//
// Loading follows Go's time.LoadLocation, which kube-controller-manager uses for
// CronJob.spec.timeZone: "" and "UTC" are UTC, "Local" is the process' zone ($TZ, else
// /etc/localtime, else UTC); names with "..", a leading '/' or '\\' are invalid; otherwise the
// TZif file of that name is read (64-bit data of a version 2+ file, with its POSIX TZ footer
// for instants after the last transition). to_utc() resolves gaps and overlaps the way Go's
// time.Date does (a time in a spring-forward gap lands one offset step earlier; an ambiguous
// time takes the first, daylight, offset).
//
// TimeZone objects are immutable once loaded; load() caches them in a process-wide map under
// a mutex, so every function here is thread-safe. Nothing reads or sets the TZ environment.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "server/controllers/cronjob/posix_tz_rule.h"

namespace kite::controllers::cronjob {

class TimeZone {
 public:
  // One local time type of the zone (TZif "ttinfo").
  struct ZoneType {
    int32_t utc_offset = 0;  // seconds east of UTC
    bool is_dst = false;
    std::string abbreviation;
  };

  // Loads (or returns the cached) zone. NotFound-style BadRequest "unknown time zone X" when
  // the database has no such zone, BadRequest "invalid location name" for bad names.
  static base::Result<std::shared_ptr<const TimeZone>> load(const std::string& name);
  static std::shared_ptr<const TimeZone> utc();
  // The zone of this process: $TZ (unset: /etc/localtime; empty: UTC), UTC when unreadable.
  static std::shared_ptr<const TimeZone> local();
  // Parses the bytes of a TZif file (exposed for tests).
  static base::Result<std::shared_ptr<const TimeZone>> from_tzif(const std::string& name, const std::string& data);

  const std::string& name() const { return name_; }
  // The zone type in force at `unix_seconds` (UTC).
  ZoneType lookup(int64_t unix_seconds) const;
  int32_t offset_at(int64_t unix_seconds) const { return lookup(unix_seconds).utc_offset; }
  // The instant of wall-clock time `local_seconds` (seconds since 1970-01-01T00:00 local).
  int64_t to_utc(int64_t local_seconds) const;

 private:
  std::string name_;
  std::vector<int64_t> transitions_;      // ascending UTC instants
  std::vector<uint8_t> transition_types_;  // index into types_ per transition
  std::vector<ZoneType> types_;
  PosixTzRule footer_;  // for instants after the last transition (may be empty)
  bool has_footer_ = false;
};

}  // namespace kite::controllers::cronjob
