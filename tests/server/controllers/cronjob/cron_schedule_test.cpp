// CronSchedule: parsing and next-activation math, as kube-controller-manager (robfig/cron v3)
// computes them, including time zones and DST.
#include "server/controllers/cronjob/cron_schedule.h"

#include <gtest/gtest.h>

#include "base/ids.h"
#include "server/controllers/cronjob/schedule_times.h"

namespace kite::controllers::cronjob {
namespace {

using time_point = CronSchedule::time_point;

time_point at(const std::string& s) {
  time_point t;
  EXPECT_TRUE(base::parse_rfc3339(s, &t)) << s;
  return t;
}

std::string next_of(const std::string& spec, const std::string& from, const std::string& zone = "UTC") {
  auto z = TimeZone::load(zone);
  EXPECT_TRUE(z.has_value()) << zone;
  auto s = CronSchedule::parse(spec, *z);
  EXPECT_TRUE(s.has_value()) << spec << ": " << (s ? "" : s.error().message());
  if (!s) return "parse error";
  auto n = s->next(at(from));
  return n ? base::rfc3339(*n) : "never";
}

std::string parse_error(const std::string& spec) {
  auto s = CronSchedule::parse(spec, TimeZone::utc());
  return s ? "" : s.error().message();
}

TEST(CronScheduleTest, StepsRangesListsAndNames) {
  EXPECT_EQ(next_of("*/15 * * * *", "2026-11-22T10:07:30Z"), "2026-11-22T10:15:00Z");
  EXPECT_EQ(next_of("*/15 * * * *", "2026-11-22T10:45:00Z"), "2026-11-22T11:00:00Z");  // strictly after
  EXPECT_EQ(next_of("5/20 * * * *", "2026-11-22T10:26:00Z"), "2026-11-22T10:45:00Z");  // N/step = N-59/step
  EXPECT_EQ(next_of("0 9-17/4 * * *", "2026-11-22T14:00:00Z"), "2026-11-22T17:00:00Z");
  EXPECT_EQ(next_of("0 1,13,22 * * *", "2026-11-22T13:00:00Z"), "2026-11-22T22:00:00Z");
  // 2026-11-22 is a Sunday.
  EXPECT_EQ(next_of("0 9 * * MON-FRI", "2026-11-22T10:00:00Z"), "2026-11-23T09:00:00Z");
  EXPECT_EQ(next_of("0 9 * * sat", "2026-11-22T10:00:00Z"), "2026-11-28T09:00:00Z");
  EXPECT_EQ(next_of("0 0 1 JAN *", "2026-11-22T10:00:00Z"), "2027-01-01T00:00:00Z");
  EXPECT_EQ(next_of("0 0 1 jun-aug *", "2026-11-22T10:00:00Z"), "2027-06-01T00:00:00Z");
  EXPECT_EQ(next_of("? ? ? ? ?", "2026-11-22T10:00:10Z"), "2026-11-22T10:01:00Z");
}

TEST(CronScheduleTest, DayOfMonthOrDayOfWeekWhenBothRestricted) {
  // Both restricted: the 13th OR any Friday. 2026-11-27 is a Friday, before Dec 13.
  EXPECT_EQ(next_of("0 0 13 * 5", "2026-11-22T00:00:00Z"), "2026-11-27T00:00:00Z");
  // Day-of-week is *: only the 13th.
  EXPECT_EQ(next_of("0 0 13 * *", "2026-11-22T00:00:00Z"), "2026-12-13T00:00:00Z");
  // */1 keeps the * meaning, */2 does not (then it is OR again).
  EXPECT_EQ(next_of("0 0 13 * */1", "2026-11-22T00:00:00Z"), "2026-12-13T00:00:00Z");
}

TEST(CronScheduleTest, Descriptors) {
  EXPECT_EQ(next_of("@hourly", "2026-11-22T10:07:00Z"), "2026-11-22T11:00:00Z");
  EXPECT_EQ(next_of("@daily", "2026-11-22T10:07:00Z"), "2026-11-23T00:00:00Z");
  EXPECT_EQ(next_of("@midnight", "2026-11-22T10:07:00Z"), "2026-11-23T00:00:00Z");
  EXPECT_EQ(next_of("@weekly", "2026-11-22T10:07:00Z"), "2026-11-29T00:00:00Z");  // next Sunday
  EXPECT_EQ(next_of("@monthly", "2026-11-22T10:07:00Z"), "2026-12-01T00:00:00Z");
  EXPECT_EQ(next_of("@yearly", "2026-11-22T10:07:00Z"), "2027-01-01T00:00:00Z");
  EXPECT_EQ(next_of("@annually", "2026-11-22T10:07:00Z"), "2027-01-01T00:00:00Z");
  EXPECT_EQ(next_of("@every 90s", "2026-11-22T10:07:00Z"), "2026-11-22T10:08:30Z");
  EXPECT_EQ(next_of("@every 1h30m", "2026-11-22T10:07:00Z"), "2026-11-22T11:37:00Z");
}

TEST(CronScheduleTest, ImpossibleDatesNeverFire) {
  EXPECT_EQ(next_of("0 0 30 2 *", "2026-11-22T00:00:00Z"), "never");
  EXPECT_EQ(next_of("59 23 31 4 *", "2026-11-22T00:00:00Z"), "never");
  // Feb 29 only in leap years.
  EXPECT_EQ(next_of("0 0 29 2 *", "2026-11-22T00:00:00Z"), "2028-02-29T00:00:00Z");
}

TEST(CronScheduleTest, RejectsMalformedSpecs) {
  EXPECT_EQ(parse_error(""), "empty spec string");
  EXPECT_EQ(parse_error("* * * *"), "expected exactly 5 fields, found 4: * * * *");
  EXPECT_EQ(parse_error("* * * * * *"), "expected exactly 5 fields, found 6: * * * * * *");
  EXPECT_EQ(parse_error("60 * * * *"), "end of range (60) above maximum (59): 60");
  EXPECT_EQ(parse_error("* * 0 * *"), "beginning of range (0) below minimum (1): 0");
  EXPECT_EQ(parse_error("* * * * 7"), "end of range (7) above maximum (6): 7");
  EXPECT_EQ(parse_error("5-3 * * * *"), "beginning of range (5) beyond end of range (3): 5-3");
  EXPECT_EQ(parse_error("*/0 * * * *"), "step of range should be a positive number: */0");
  EXPECT_EQ(parse_error("1-2-3 * * * *"), "too many hyphens: 1-2-3");
  EXPECT_EQ(parse_error("*/2/3 * * * *"), "too many slashes: */2/3");
  EXPECT_EQ(parse_error("x * * * *"), "failed to parse int from x: invalid syntax");
  EXPECT_EQ(parse_error("* * * FOO *"), "failed to parse int from FOO: invalid syntax");
  EXPECT_EQ(parse_error("@fortnightly"), "unrecognized descriptor: @fortnightly");
  EXPECT_NE(parse_error("TZ=Nowhere/Atlantis * * * * *"), "");
  EXPECT_NE(parse_error("TZ=../etc/passwd * * * * *"), "");
}

TEST(CronScheduleTest, ZonePrefixAndTimeZone) {
  // 09:00 in Tokyo (UTC+9, no DST) is 00:00 UTC.
  EXPECT_EQ(next_of("CRON_TZ=Asia/Tokyo 0 9 * * *", "2026-11-22T03:00:00Z"), "2026-11-23T00:00:00Z");
  EXPECT_EQ(next_of("TZ=Asia/Tokyo 0 9 * * *", "2026-11-22T03:00:00Z"), "2026-11-23T00:00:00Z");
  EXPECT_EQ(next_of("0 9 * * *", "2026-11-22T03:00:00Z", "Asia/Tokyo"), "2026-11-23T00:00:00Z");
  // New York in winter is UTC-5, in summer UTC-4.
  EXPECT_EQ(next_of("0 12 * * *", "2026-11-22T03:00:00Z", "America/New_York"), "2026-11-22T17:00:00Z");
  EXPECT_EQ(next_of("0 12 * * *", "2026-07-01T03:00:00Z", "America/New_York"), "2026-07-01T16:00:00Z");
  // Southern hemisphere: Sydney is UTC+11 in January, UTC+10 in July.
  EXPECT_EQ(next_of("0 12 * * *", "2027-01-10T00:00:00Z", "Australia/Sydney"), "2027-01-10T01:00:00Z");
  EXPECT_EQ(next_of("0 12 * * *", "2027-07-10T00:00:00Z", "Australia/Sydney"), "2027-07-10T02:00:00Z");
  // Beyond the file's listed transitions the POSIX footer rule applies (2040 summer: EDT).
  EXPECT_EQ(next_of("0 12 1 7 *", "2040-06-01T00:00:00Z", "America/New_York"), "2040-07-01T16:00:00Z");
  EXPECT_EQ(next_of("0 12 1 12 *", "2040-06-01T00:00:00Z", "America/New_York"), "2040-12-01T17:00:00Z");
}

TEST(CronScheduleTest, SpringForwardSkipsTheMissingTime) {
  // 2026-03-08 02:00 EST -> 03:00 EDT in New York: 02:30 does not exist that day.
  EXPECT_EQ(next_of("30 2 * * *", "2026-03-08T05:00:00Z", "America/New_York"), "2026-03-09T06:30:00Z");
  EXPECT_EQ(next_of("30 2 * * *", "2026-03-07T05:00:00Z", "America/New_York"), "2026-03-07T07:30:00Z");
  // Hourly schedules lose the 02:00 hour only.
  EXPECT_EQ(next_of("0 * * * *", "2026-03-08T06:30:00Z", "America/New_York"), "2026-03-08T07:00:00Z");
}

TEST(CronScheduleTest, FallBackRepeatsTheDoubledTime) {
  // 2026-11-01 02:00 EDT -> 01:00 EST: 01:30 happens twice, robfig/cron fires both times.
  EXPECT_EQ(next_of("30 1 * * *", "2026-11-01T04:00:00Z", "America/New_York"), "2026-11-01T05:30:00Z");
  EXPECT_EQ(next_of("30 1 * * *", "2026-11-01T05:30:00Z", "America/New_York"), "2026-11-01T06:30:00Z");
  EXPECT_EQ(next_of("30 1 * * *", "2026-11-01T06:30:00Z", "America/New_York"), "2026-11-02T06:30:00Z");
}

TEST(CronScheduleTest, UnknownZonesAndInvalidNames) {
  EXPECT_FALSE(TimeZone::load("Mars/Olympus_Mons").has_value());
  EXPECT_FALSE(TimeZone::load("../../etc/passwd").has_value());
  EXPECT_FALSE(TimeZone::load("/etc/localtime").has_value());
  EXPECT_FALSE(TimeZone::load("America").has_value());  // a directory
  auto utc = TimeZone::load("");
  ASSERT_TRUE(utc.has_value());
  EXPECT_EQ((*utc)->name(), "UTC");
}

TEST(ScheduleTimesTest, JobNameAndAnnotationFormat) {
  EXPECT_EQ(job_name_for("backup", at("2026-11-22T10:15:00Z")), "backup-29922375");
  auto ny = TimeZone::load("America/New_York");
  ASSERT_TRUE(ny.has_value());
  EXPECT_EQ(rfc3339_in_zone(at("2026-11-22T10:15:00Z"), **ny), "2026-11-22T05:15:00-05:00");
  EXPECT_EQ(rfc3339_in_zone(at("2026-11-22T10:15:00Z"), *TimeZone::utc()), "2026-11-22T10:15:00Z");
}

json cronjob(const std::string& created, const std::string& last = "", std::optional<int> deadline = std::nullopt) {
  json cj = {{"metadata", {{"name", "c"}, {"creationTimestamp", created}}}, {"spec", json::object()}};
  if (!last.empty()) cj["status"]["lastScheduleTime"] = last;
  if (deadline) cj["spec"]["startingDeadlineSeconds"] = *deadline;
  return cj;
}

TEST(ScheduleTimesTest, MostRecentScheduleTime) {
  auto s = CronSchedule::parse("*/5 * * * *", TimeZone::utc());
  ASSERT_TRUE(s.has_value());
  // Nothing due yet.
  auto r = most_recent_schedule_time(cronjob("2026-11-22T10:01:00Z"), at("2026-11-22T10:04:00Z"), *s, true);
  EXPECT_FALSE(r.most_recent.has_value());
  // One due.
  r = most_recent_schedule_time(cronjob("2026-11-22T10:01:00Z"), at("2026-11-22T10:06:00Z"), *s, true);
  ASSERT_TRUE(r.most_recent.has_value());
  EXPECT_EQ(base::rfc3339(*r.most_recent), "2026-11-22T10:05:00Z");
  EXPECT_EQ(r.missed, MissedSchedules::kNone);
  // Several missed: the latest one is returned.
  r = most_recent_schedule_time(cronjob("2026-11-22T10:01:00Z"), at("2026-11-22T10:31:00Z"), *s, true);
  ASSERT_TRUE(r.most_recent.has_value());
  EXPECT_EQ(base::rfc3339(*r.most_recent), "2026-11-22T10:30:00Z");
  EXPECT_EQ(r.missed, MissedSchedules::kFew);
  // More than 100 missed.
  r = most_recent_schedule_time(cronjob("2026-11-20T10:01:00Z"), at("2026-11-22T10:31:00Z"), *s, true);
  EXPECT_EQ(r.missed, MissedSchedules::kMany);
  ASSERT_TRUE(r.most_recent.has_value());
  EXPECT_EQ(base::rfc3339(*r.most_recent), "2026-11-22T10:30:00Z");
  // Starting deadline moves the window: with 120 s, 10:30 is still in it at 10:31, with 60 s not.
  r = most_recent_schedule_time(cronjob("2026-11-20T10:01:00Z", "", 120), at("2026-11-22T10:31:00Z"), *s, true);
  EXPECT_EQ(r.missed, MissedSchedules::kNone);
  ASSERT_TRUE(r.most_recent.has_value());
  EXPECT_EQ(base::rfc3339(*r.most_recent), "2026-11-22T10:30:00Z");
  r = most_recent_schedule_time(cronjob("2026-11-20T10:01:00Z", "", 60), at("2026-11-22T10:31:00Z"), *s, true);
  EXPECT_FALSE(r.most_recent.has_value());
  // Impossible schedule.
  auto feb30 = CronSchedule::parse("0 0 30 2 *", TimeZone::utc());
  ASSERT_TRUE(feb30.has_value());
  r = most_recent_schedule_time(cronjob("2026-11-22T10:01:00Z"), at("2026-11-22T10:31:00Z"), *feb30, true);
  EXPECT_TRUE(r.error.has_value());
}

TEST(ScheduleTimesTest, NextScheduleDelay) {
  auto s = CronSchedule::parse("*/5 * * * *", TimeZone::utc());
  ASSERT_TRUE(s.has_value());
  auto d = next_schedule_delay(cronjob("2026-11-22T10:01:00Z", "2026-11-22T10:05:00Z"), at("2026-11-22T10:06:00Z"), *s);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(*d).count(), 4 * 60 * 1000 + 100);
}

}  // namespace
}  // namespace kite::controllers::cronjob
