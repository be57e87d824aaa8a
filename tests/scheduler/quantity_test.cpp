#include "scheduler/quantity.h"

#include <gtest/gtest.h>

namespace kite::scheduler {
namespace {

TEST(QuantityTest, CpuInMillicores) {
  EXPECT_EQ(parse_milli_quantity("100m"), 100);
  EXPECT_EQ(parse_milli_quantity("1"), 1000);
  EXPECT_EQ(parse_milli_quantity("0.5"), 500);
  EXPECT_EQ(parse_milli_quantity("2.25"), 2250);
  EXPECT_EQ(parse_milli_quantity("1.5m"), 2);  // rounds up, as MilliValue()
  EXPECT_EQ(parse_milli_quantity("1e3"), 1000000);
  EXPECT_EQ(parse_milli_quantity("250000u"), 250);
  EXPECT_EQ(milli_quantity(nlohmann::json(2)), 2000);
  EXPECT_EQ(milli_quantity(nlohmann::json(0.25)), 250);
}

TEST(QuantityTest, MemoryInBytes) {
  EXPECT_EQ(parse_quantity("1Gi"), 1073741824);
  EXPECT_EQ(parse_quantity("512Mi"), 536870912);
  EXPECT_EQ(parse_quantity("128974848"), 128974848);
  EXPECT_EQ(parse_quantity("129e6"), 129000000);
  EXPECT_EQ(parse_quantity("129M"), 129000000);
  EXPECT_EQ(parse_quantity("1.5Gi"), 1610612736);
  EXPECT_EQ(parse_quantity("1k"), 1000);
  EXPECT_EQ(parse_quantity("1Ki"), 1024);
  EXPECT_EQ(parse_quantity("100m"), 1);  // 0.1 rounds up to 1
  EXPECT_EQ(parse_quantity("0"), 0);
  EXPECT_EQ(parse_quantity("110"), 110);
}

TEST(QuantityTest, RejectsGarbage) {
  EXPECT_FALSE(parse_quantity(""));
  EXPECT_FALSE(parse_quantity("abc"));
  EXPECT_FALSE(parse_quantity("1Gb"));
  EXPECT_FALSE(parse_quantity("1.2.3"));
  EXPECT_FALSE(parse_quantity("1e"));
  EXPECT_FALSE(quantity(nlohmann::json::array()));
}

TEST(QuantityTest, HugeValuesClamp) {
  EXPECT_EQ(parse_quantity("100Ei"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(parse_milli_quantity("1e30"), std::numeric_limits<int64_t>::max());
}

}  // namespace
}  // namespace kite::scheduler
