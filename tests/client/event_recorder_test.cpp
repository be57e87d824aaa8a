// EventRecorder on FakeClient with a ManualClock: the Event written, aggregation of repeats
// into count/lastTimestamp, distinct events, cluster-scoped objects, recreation after the
// event expired, and a failing API not blocking the caller.
#include "client/event_recorder.h"

#include <gtest/gtest.h>

#include <regex>

#include "base/ids.h"
#include "client/fake_client.h"

namespace kite::client {
namespace {

using namespace std::chrono_literals;

class EventRecorderTest : public ::testing::Test {
 protected:
  json pod() const {
    return {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", "web-1"}, {"namespace", "shop"}, {"uid", "uid-1"}, {"resourceVersion", "12"}}}};
  }
  size_t count_actions(const std::string& verb) {
    size_t n = 0;
    for (const auto& a : fake_.actions()) n += a.verb == verb && a.resource == "events";
    return n;
  }

  FakeClient fake_;
  base::ManualClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000))};
};

TEST_F(EventRecorderTest, WritesACoreV1Event) {
  EventRecorder recorder(fake_, {"default-scheduler", ""}, clock_);
  recorder.event(pod(), "Normal", "Scheduled", "Successfully assigned shop/web-1 to node-1");
  recorder.flush();
  auto events = fake_.objects(resources::kEvents);
  ASSERT_EQ(events.size(), 1u);
  const json& e = events[0];
  EXPECT_TRUE(std::regex_match(e["metadata"]["name"].get<std::string>(), std::regex(R"(web-1\.[0-9a-f]{16})")))
      << e["metadata"]["name"];
  EXPECT_EQ(e["metadata"]["namespace"], "shop");
  EXPECT_EQ(e["involvedObject"],
            (json{{"kind", "Pod"}, {"namespace", "shop"}, {"name", "web-1"}, {"uid", "uid-1"}, {"apiVersion", "v1"},
                  {"resourceVersion", "12"}}));
  EXPECT_EQ(e["type"], "Normal");
  EXPECT_EQ(e["reason"], "Scheduled");
  EXPECT_EQ(e["message"], "Successfully assigned shop/web-1 to node-1");
  EXPECT_EQ(e["source"], (json{{"component", "default-scheduler"}}));
  EXPECT_EQ(e["firstTimestamp"], "2027-01-15T08:00:00Z");
  EXPECT_EQ(e["lastTimestamp"], "2027-01-15T08:00:00Z");
  EXPECT_EQ(e["count"], 1);
  EXPECT_EQ(e["reportingComponent"], "default-scheduler");
}

TEST_F(EventRecorderTest, RepeatsBumpCountAndLastTimestamp) {
  EventRecorder recorder(fake_, {"kubelet", "node-1"}, clock_);
  recorder.event(pod(), "Warning", "BackOff", "Back-off restarting failed container");
  clock_.advance(10s);
  recorder.event(pod(), "Warning", "BackOff", "Back-off restarting failed container");
  clock_.advance(20s);
  recorder.event(pod(), "Warning", "BackOff", "Back-off restarting failed container");
  recorder.flush();
  auto events = fake_.objects(resources::kEvents);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["count"], 3);
  EXPECT_EQ(events[0]["firstTimestamp"], "2027-01-15T08:00:00Z");
  EXPECT_EQ(events[0]["lastTimestamp"], "2027-01-15T08:00:30Z");
  EXPECT_EQ(events[0]["source"], (json{{"component", "kubelet"}, {"host", "node-1"}}));
  EXPECT_EQ(events[0]["reportingInstance"], "node-1");
  EXPECT_EQ(count_actions("create"), 1u);
  EXPECT_EQ(count_actions("patch"), 2u);
}

TEST_F(EventRecorderTest, DifferentMessagesOrObjectsAreDifferentEvents) {
  EventRecorder recorder(fake_, {"deployment-controller", ""}, clock_);
  recorder.event(pod(), "Normal", "Pulled", "image a");
  recorder.event(pod(), "Normal", "Pulled", "image b");
  json other = pod();
  other["metadata"]["uid"] = "uid-2";
  recorder.event(other, "Normal", "Pulled", "image a");
  recorder.event(pod(), "Warning", "Pulled", "image a");
  recorder.flush();
  EXPECT_EQ(fake_.objects(resources::kEvents).size(), 4u);
  EXPECT_EQ(count_actions("patch"), 0u);
}

TEST_F(EventRecorderTest, EventsAboutClusterScopedObjectsGoToDefault) {
  EventRecorder recorder(fake_, {"node-controller", ""}, clock_);
  recorder.event(json{{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", "node-1"}, {"uid", "n-uid"}}}},
                 "Normal", "RegisteredNode", "Node node-1 event: Registered Node node-1 in Controller");
  recorder.flush();
  auto events = fake_.objects(resources::kEvents);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["metadata"]["namespace"], "default");
  EXPECT_FALSE(events[0]["involvedObject"].contains("namespace"));
  EXPECT_EQ(events[0]["involvedObject"]["kind"], "Node");
}

TEST_F(EventRecorderTest, RecreatesAnEventThatExpired) {
  EventRecorder recorder(fake_, {"kubelet", "node-1"}, clock_);
  recorder.event(pod(), "Normal", "Pulling", "pulling image");
  recorder.flush();
  auto events = fake_.objects(resources::kEvents);
  ASSERT_EQ(events.size(), 1u);
  std::string name = events[0]["metadata"]["name"];
  ASSERT_TRUE(fake_.remove(resources::kEvents, "shop", name));  // the event's TTL ran out
  clock_.advance(1min);
  recorder.event(pod(), "Normal", "Pulling", "pulling image");
  recorder.flush();
  events = fake_.objects(resources::kEvents);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["count"], 2);
  EXPECT_EQ(events[0]["lastTimestamp"], "2027-01-15T08:01:00Z");
}

TEST_F(EventRecorderTest, ApiFailuresDoNotBlockTheCaller) {
  fake_.fail("create", "events", base::Status(base::Reason::ServiceUnavailable, "down"));
  EventRecorder recorder(fake_, {"kubelet", "node-1"}, clock_);
  for (int i = 0; i < 50; ++i) recorder.event(pod(), "Normal", "Started", "started " + std::to_string(i));
  recorder.flush();
  EXPECT_TRUE(fake_.objects(resources::kEvents).empty());
  fake_.clear_failures();
  recorder.event(pod(), "Normal", "Started", "started again");
  recorder.flush();
  EXPECT_EQ(fake_.objects(resources::kEvents).size(), 1u);
}

TEST_F(EventRecorderTest, DestructionWritesWhatIsQueued) {
  {
    EventRecorder recorder(fake_, {"job-controller", ""}, clock_);
    for (int i = 0; i < 20; ++i) recorder.event(pod(), "Normal", "Completed", "job " + std::to_string(i));
  }
  EXPECT_EQ(fake_.objects(resources::kEvents).size(), 20u);
}

}  // namespace
}  // namespace kite::client
