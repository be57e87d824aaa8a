#include "server/controllers/cronjob/schedule_times.h"

#include <cstdio>

#include "base/ids.h"
#include "server/controllers/cronjob/civil_time.h"

namespace kite::controllers::cronjob {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

std::optional<time_point> read_time(const json& obj, const json::json_pointer& ptr) {
  if (!obj.contains(ptr) || !obj.at(ptr).is_string()) return std::nullopt;
  time_point t;
  if (!base::parse_rfc3339(obj.at(ptr).get<std::string>(), &t)) return std::nullopt;
  return t;
}

MostRecentSchedule most_recent_schedule_time(const json& cj, time_point now, const CronSchedule& schedule,
                                             bool include_starting_deadline) {
  MostRecentSchedule out;
  out.earliest = read_time(cj, json::json_pointer("/metadata/creationTimestamp")).value_or(time_point{});
  if (auto last = read_time(cj, json::json_pointer("/status/lastScheduleTime"))) out.earliest = *last;
  if (include_starting_deadline) {
    const json::json_pointer deadline_ptr("/spec/startingDeadlineSeconds");
    if (cj.contains(deadline_ptr) && cj.at(deadline_ptr).is_number_integer()) {
      auto deadline = now - seconds(cj.at(deadline_ptr).get<int64_t>());
      if (deadline > out.earliest) out.earliest = deadline;
    }
  }
  auto t1 = schedule.next(out.earliest);
  if (t1 && now < *t1) return out;
  std::optional<time_point> t2 = t1 ? schedule.next(*t1) : std::nullopt;
  if (t1 && t2 && now < *t2) {
    out.most_recent = t1;
    return out;
  }
  // Go rounds (t2 - t1) to the second; a zero time from a never-firing schedule gives < 1 s.
  int64_t between = 0;
  if (t1 && t2) {
    auto d = *t2 - *t1;
    between = duration_cast<seconds>(d + milliseconds(500)).count();
  }
  if (between < 1) {
    out.error = "time difference between two schedules is less than 1 second";
    return out;
  }
  int64_t elapsed = duration_cast<seconds>(now - *t1).count();
  int64_t missed = elapsed / between + 1;
  time_point potential_earliest = *t1 + seconds((missed - 1 - 1) * between);
  std::optional<time_point> most_recent;
  for (auto t = schedule.next(potential_earliest); t && *t <= now; t = schedule.next(*t)) most_recent = t;
  if (missed > 100) {
    out.missed = MissedSchedules::kMany;
  } else if (missed > 0) {
    out.missed = MissedSchedules::kFew;
  }
  out.most_recent = most_recent;
  return out;
}

std::optional<nanoseconds> next_schedule_delay(const json& cj, time_point now, const CronSchedule& schedule) {
  auto r = most_recent_schedule_time(cj, now, schedule, false);
  time_point from = now;
  if (!r.error) {
    if (r.most_recent) {
      from = *r.most_recent;
    } else if (r.missed == MissedSchedules::kNone) {
      from = r.earliest;
    }
  }
  auto next = schedule.next(from);
  if (!next) return std::nullopt;
  return duration_cast<nanoseconds>(*next + milliseconds(100) - now);
}

std::string job_name_for(const std::string& cronjob_name, time_point scheduled) {
  int64_t minutes = duration_cast<seconds>(scheduled.time_since_epoch()).count() / 60;
  return cronjob_name + "-" + std::to_string(minutes);
}

std::string rfc3339_in_zone(time_point t, const TimeZone& zone) {
  int64_t unix = floor_div(duration_cast<nanoseconds>(t.time_since_epoch()).count(), 1000000000);
  int32_t offset = zone.offset_at(unix);
  int64_t local = unix + offset;
  CivilDate d = civil_from_days(floor_div(local, 86400));
  int64_t sod = floor_mod(local, 86400);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02lld:%02lld:%02lld", static_cast<long long>(d.year), d.month, d.day,
                static_cast<long long>(sod / 3600), static_cast<long long>(sod / 60 % 60),
                static_cast<long long>(sod % 60));
  std::string out = buf;
  if (offset == 0) return out + "Z";
  int32_t a = offset < 0 ? -offset : offset;
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset < 0 ? '-' : '+', a / 3600, a / 60 % 60);
  return out + buf;
}

}  // namespace kite::controllers::cronjob
