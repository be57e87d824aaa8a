#include "base/duration.h"

#include <gtest/gtest.h>

namespace kite::base {
namespace {

using namespace std::chrono_literals;

TEST(ParseDuration, AcceptsGoDurations) {
  EXPECT_EQ(*parse_duration("40s"), 40s);
  EXPECT_EQ(*parse_duration("300ms"), 300ms);
  EXPECT_EQ(*parse_duration("1m30s"), 90s);
  EXPECT_EQ(*parse_duration("1.5h"), 90min);
  EXPECT_EQ(*parse_duration("2h45m"), 165min);
  EXPECT_EQ(*parse_duration("0"), 0s);
  EXPECT_EQ(*parse_duration("10us"), 10us);
}

TEST(ParseDuration, RejectsJunkWithAReason) {
  for (const char* bad : {"", "40", "s", "-5s", "5 s", "1.2.3s", "5d", "abc"}) {
    auto r = parse_duration(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().reason(), Reason::BadRequest) << bad;
    EXPECT_NE(r.error().message().find("invalid duration"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace kite::base
