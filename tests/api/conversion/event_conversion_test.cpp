#include "api/conversion/event_conversion.h"

#include <gtest/gtest.h>

namespace kite::api {
namespace {

using json = nlohmann::json;

TEST(EventConversionTest, CoreToEventsV1AndBack) {
  json core = {{"apiVersion", "v1"},
               {"kind", "Event"},
               {"metadata", {{"name", "e1"}, {"namespace", "default"}}},
               {"involvedObject", {{"kind", "Pod"}, {"name", "web-0"}}},
               {"reason", "Started"},
               {"message", "Started container web"},
               {"source", {{"component", "kubelet"}}},
               {"count", 3},
               {"type", "Normal"},
               {"reportingComponent", "kubelet"}};
  json v1 = core_event_to_events_v1(core);
  EXPECT_EQ(v1["apiVersion"], "events.k8s.io/v1");
  EXPECT_EQ(v1["regarding"]["name"], "web-0");
  EXPECT_EQ(v1["note"], "Started container web");
  EXPECT_EQ(v1["deprecatedCount"], 3);
  EXPECT_EQ(v1["deprecatedSource"]["component"], "kubelet");
  EXPECT_EQ(v1["reportingController"], "kubelet");
  EXPECT_FALSE(v1.contains("message"));
  EXPECT_EQ(events_v1_to_core_event(v1), core);
}

TEST(EventConversionTest, FieldSelectorPathsMapToTheStoredShape) {
  EXPECT_EQ(events_v1_field_to_core("regarding.name"), "involvedObject.name");
  EXPECT_EQ(events_v1_field_to_core("reportingController"), "reportingComponent");
  EXPECT_EQ(events_v1_field_to_core("deprecatedSource"), "source");
  EXPECT_EQ(events_v1_field_to_core("type"), "type");
  EXPECT_EQ(events_v1_field_to_core("metadata.name"), "metadata.name");
}

}  // namespace
}  // namespace kite::api
