// The CRI log format and kubelet's log options: parsing records, joining partial lines across
// feeds, tail, since, timestamps and limitBytes.
#include <gtest/gtest.h>

#include "agent/streaming/cri_log.h"

namespace kite::agent::streaming {
namespace {

TimePoint at(const std::string& text) { return *parse_rfc3339_nano(text); }

std::vector<LogLine> decode(const std::string& data) {
  CriLogDecoder d;
  d.feed(data);
  return d.take();
}

TEST(CriLogTest, ParsesTimestamps) {
  auto t = parse_rfc3339_nano("2026-11-22T10:00:01.5Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_rfc3339_nano_fixed(*t), "2026-11-22T10:00:01.500000000Z");
  EXPECT_EQ(format_rfc3339_nano_fixed(at("2026-11-22T10:00:01.123456789Z")), "2026-11-22T10:00:01.123456789Z");
  EXPECT_EQ(format_rfc3339_nano_fixed(at("2026-11-22T12:00:01+02:00")), "2026-11-22T10:00:01.000000000Z");
  EXPECT_FALSE(parse_rfc3339_nano("2026-11-22 10:00:01Z"));
  EXPECT_FALSE(parse_rfc3339_nano("2026-13-22T10:00:01Z"));
  EXPECT_FALSE(parse_rfc3339_nano("2026-11-22T10:00:01"));
}

TEST(CriLogTest, ParsesRecords) {
  auto r = parse_cri_log_record("2026-11-22T10:00:01.1Z stderr F hello world");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->stream, "stderr");
  EXPECT_FALSE(r->partial);
  EXPECT_EQ(r->content, "hello world");
  auto empty = parse_cri_log_record("2026-11-22T10:00:01.1Z stdout F ");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->content, "");
  EXPECT_FALSE(parse_cri_log_record("garbage"));
  EXPECT_FALSE(parse_cri_log_record("2026-11-22T10:00:01.1Z stdin F x"));
  EXPECT_FALSE(parse_cri_log_record("2026-11-22T10:00:01.1Z stdout X x"));
}

TEST(CriLogTest, JoinsPartialLinesAcrossFeeds) {
  CriLogDecoder d;
  d.feed("2026-11-22T10:00:01Z stdout P hel");
  EXPECT_TRUE(d.take().empty());
  d.feed("lo\n2026-11-22T10:00:02Z stdout P  wor\n2026-11-22T10:00:03Z stdout F ld\nnot a line\n");
  auto lines = d.take();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].content, "hello world");
  EXPECT_EQ(format_rfc3339_nano_fixed(lines[0].time), "2026-11-22T10:00:01.000000000Z");
  d.feed("2026-11-22T10:00:04Z stdout P dangling\n");
  EXPECT_TRUE(d.take().empty());
  d.flush();
  lines = d.take();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_FALSE(lines[0].complete);
  LogWriter w(LogOptions{});
  EXPECT_EQ(w.write(lines), "dangling");
}

const char* kLog =
    "2026-11-22T10:00:01Z stdout F one\n"
    "2026-11-22T10:00:02Z stderr F two\n"
    "2026-11-22T10:00:03.25Z stdout F three\n";

TEST(CriLogTest, WritesContentAndTimestamps) {
  LogWriter plain(LogOptions{});
  EXPECT_EQ(plain.write(decode(kLog)), "one\ntwo\nthree\n");
  LogWriter ts(LogOptions{.timestamps = true});
  EXPECT_EQ(ts.write(decode(kLog)),
            "2026-11-22T10:00:01.000000000Z one\n2026-11-22T10:00:02.000000000Z two\n"
            "2026-11-22T10:00:03.250000000Z three\n");
}

TEST(CriLogTest, TailSinceAndLimit) {
  auto lines = decode(kLog);
  tail_lines(lines, 2);
  EXPECT_EQ(LogWriter(LogOptions{}).write(lines), "two\nthree\n");
  lines = decode(kLog);
  tail_lines(lines, 0);
  EXPECT_TRUE(lines.empty());
  lines = decode(kLog);
  tail_lines(lines, -1);
  EXPECT_EQ(lines.size(), 3u);
  tail_lines(lines, 10);
  EXPECT_EQ(lines.size(), 3u);

  LogWriter since(LogOptions{.since = at("2026-11-22T10:00:02Z")});
  EXPECT_EQ(since.write(decode(kLog)), "two\nthree\n");

  LogWriter limit(LogOptions{.limit_bytes = 6});
  EXPECT_EQ(limit.write(decode(kLog)), "one\ntw");
  EXPECT_TRUE(limit.exhausted());
  EXPECT_EQ(limit.write(decode(kLog)), "");
  LogWriter exact(LogOptions{.limit_bytes = 4});
  EXPECT_EQ(exact.write(decode(kLog)), "one\n");
  EXPECT_TRUE(exact.exhausted());
}

TEST(CriLogTest, ParsesQueryOptions) {
  auto now = std::chrono::system_clock::time_point(at("2026-11-22T10:01:00Z"));
  auto o = parse_log_options({{"follow", "true"}, {"tailLines", "5"}, {"timestamps", "true"}, {"previous", "false"},
                              {"sinceSeconds", "30"}, {"limitBytes", "100"}},
                             now);
  ASSERT_TRUE(o) << o.error().message();
  EXPECT_TRUE(o->follow);
  EXPECT_TRUE(o->timestamps);
  EXPECT_FALSE(o->previous);
  EXPECT_EQ(o->tail_lines, 5);
  EXPECT_EQ(o->limit_bytes, 100);
  EXPECT_EQ(*o->since, at("2026-11-22T10:00:30Z"));
  auto t = parse_log_options({{"sinceTime", "2026-11-22T09:00:00Z"}}, now);
  ASSERT_TRUE(t);
  EXPECT_EQ(*t->since, at("2026-11-22T09:00:00Z"));
  EXPECT_FALSE(parse_log_options({{"sinceTime", "2026-11-22T09:00:00Z"}, {"sinceSeconds", "3"}}, now));
  EXPECT_FALSE(parse_log_options({{"tailLines", "x"}}, now));
  EXPECT_FALSE(parse_log_options({{"limitBytes", "0"}}, now));
  EXPECT_FALSE(parse_log_options({{"sinceSeconds", "-1"}}, now));
}

}  // namespace
}  // namespace kite::agent::streaming
