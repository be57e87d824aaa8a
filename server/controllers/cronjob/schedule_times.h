// The CronJob schedule arithmetic of kube-controller-manager's cronjob controller: which
// scheduled time (if any) is due now, how many were missed, and how long to wait for the next.
//
// All of it is computed from the CronJob object (creationTimestamp, status.lastScheduleTime,
// spec.startingDeadlineSeconds), a parsed CronSchedule and `now`. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "server/controllers/cronjob/cron_schedule.h"

namespace kite::controllers::cronjob {

using json = nlohmann::json;
using time_point = std::chrono::system_clock::time_point;

enum class MissedSchedules { kNone, kFew, kMany };  // kMany: more than 100

struct MostRecentSchedule {
  time_point earliest;                     // lastScheduleTime, else creationTimestamp
  std::optional<time_point> most_recent;  // the latest scheduled time <= now after earliest
  MissedSchedules missed = MissedSchedules::kNone;
  // Set for a schedule that is valid syntax but never (or not regularly) fires, e.g. Feb 30.
  std::optional<std::string> error;
};

// Upstream mostRecentScheduleTime; with `include_starting_deadline`, schedules older than
// now - startingDeadlineSeconds are not considered.
MostRecentSchedule most_recent_schedule_time(const json& cronjob, time_point now, const CronSchedule& schedule,
                                             bool include_starting_deadline);

// How long until the next scheduled time (plus upstream's 100 ms margin), counted from the
// latest scheduled time that is due; nullopt when the schedule never fires again.
std::optional<std::chrono::nanoseconds> next_schedule_delay(const json& cronjob, time_point now,
                                                            const CronSchedule& schedule);

// "<cronjob name>-<scheduled time in minutes since the epoch>".
std::string job_name_for(const std::string& cronjob_name, time_point scheduled);

// Reads a metav1.Time field; nullopt when absent or malformed.
std::optional<time_point> read_time(const json& obj, const json::json_pointer& ptr);

// RFC 3339 of `t` in `zone`, as Go's time.Format(time.RFC3339): "Z" for UTC, else "+hh:mm".
std::string rfc3339_in_zone(time_point t, const TimeZone& zone);

}  // namespace kite::controllers::cronjob
