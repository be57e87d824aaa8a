// Proleptic Gregorian calendar arithmetic on plain integers (days since 1970-01-01), used by
// the time zone rules and the cron schedule. Pure functions, thread-safe.
#pragma once

#include <cstdint>

namespace kite::controllers::cronjob {

struct CivilDate {
  int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

// Days since 1970-01-01 of a date; month and day may be out of range and are normalised
// (month 13 is January of the next year, day 0 the last day of the previous month).
constexpr int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  // Normalise the month first (floor division).
  int64_t m0 = m - 1;
  y += (m0 >= 0 ? m0 / 12 : -((-m0 + 11) / 12));
  m0 -= 12 * (m0 >= 0 ? m0 / 12 : -((-m0 + 11) / 12));
  int64_t mm = m0 + 1;
  y -= mm <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (mm + (mm > 2 ? -3 : 9)) + 2) / 5;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468 + (d - 1);
}

constexpr CivilDate civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDate{y + (m <= 2), m, d};
}

constexpr int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
constexpr int64_t floor_mod(int64_t a, int64_t b) { return a - floor_div(a, b) * b; }

// 0 = Sunday .. 6 = Saturday.
constexpr int weekday_from_days(int64_t days) { return static_cast<int>(floor_mod(days + 4, 7)); }

constexpr bool is_leap_year(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace kite::controllers::cronjob
