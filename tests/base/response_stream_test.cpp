#include "base/http/response_stream.h"

#include <gtest/gtest.h>

namespace kite::base::http {
namespace {

TEST(ResponseStreamTest, DeliversFramesInOrderAndEndsAfterClose) {
  ResponseStream s(1024);
  int notified = 0;
  s.set_notifier([&] { ++notified; });
  ASSERT_TRUE(s.push("a"));
  ASSERT_TRUE(s.push(Frame{std::make_shared<const std::string>("b"), std::make_shared<const std::string>("c")}));
  bool done = true;
  auto frames = s.take(&done);
  EXPECT_FALSE(done);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(*frames[1][1], "c");
  s.close();
  EXPECT_FALSE(s.push("late"));
  frames = s.take(&done);
  EXPECT_TRUE(done);
  EXPECT_TRUE(frames.empty());
  EXPECT_EQ(notified, 3);
}

TEST(ResponseStreamTest, ASlowConsumerIsDroppedNotBufferedWithoutBound) {
  ResponseStream s(10);
  int closed = 0;
  s.set_on_close([&] { ++closed; });
  EXPECT_TRUE(s.push("12345"));
  EXPECT_FALSE(s.push("678901"));  // would exceed 10 bytes queued
  EXPECT_TRUE(s.closed());
  EXPECT_EQ(closed, 1);
  bool done = false;
  EXPECT_TRUE(s.take(&done).empty());
  EXPECT_TRUE(done);
}

TEST(ResponseStreamTest, OnCloseRunsOnceEvenWhenSetAfterClosing) {
  ResponseStream s;
  s.abort();
  int closed = 0;
  s.set_on_close([&] { ++closed; });
  s.close();
  s.abort();
  EXPECT_EQ(closed, 1);
}

}  // namespace
}  // namespace kite::base::http
