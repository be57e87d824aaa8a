// The JSON shape of Table responses: list metadata, column definitions, row objects for each
// includeObject value, single-object and watch-event tables; plus the duration and time
// helpers the cells depend on.
#include <gtest/gtest.h>

#include "tests/api/table/table_test_util.h"

namespace kite::api::table_test {
namespace {

const ResourceInfo kConfigMaps = info("", "ConfigMap", "configmaps");

json configmap(const std::string& name) {
  return {{"metadata", {{"name", name}, {"namespace", "default"}, {"resourceVersion", "41"},
                        {"uid", "u-" + name}, {"labels", {{"a", "b"}}},
                        {"creationTimestamp", ago(10s)}}},
          {"data", {{"k", "v"}}}};
}

TEST(TableShape, ListWithPartialObjectMetadataRows) {
  json a = configmap("a"), b = configmap("b");
  json t = build_table(kConfigMaps, {&a, &b}, IncludeObject::Metadata, "42", "tok", 7, now());
  EXPECT_EQ(t["kind"], "Table");
  EXPECT_EQ(t["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ(t["metadata"], json({{"resourceVersion", "42"}, {"continue", "tok"},
                                 {"remainingItemCount", 7}}));
  ASSERT_EQ(t["columnDefinitions"].size(), 3u);
  const json& name_col = t["columnDefinitions"][0];
  EXPECT_EQ(name_col["name"], "Name");
  EXPECT_EQ(name_col["type"], "string");
  EXPECT_EQ(name_col["format"], "name");
  EXPECT_EQ(name_col["priority"], 0);
  EXPECT_TRUE(name_col["description"].is_string());
  EXPECT_EQ(t["columnDefinitions"][1]["format"], "");

  ASSERT_EQ(t["rows"].size(), 2u);
  const json& row = t["rows"][0];
  EXPECT_EQ(row["cells"], json::array({"a", 1, "10s"}));
  EXPECT_FALSE(row.contains("conditions"));
  EXPECT_EQ(row["object"]["kind"], "PartialObjectMetadata");
  EXPECT_EQ(row["object"]["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ(row["object"]["metadata"], a["metadata"]);
  EXPECT_FALSE(row["object"].contains("data"));
  EXPECT_EQ(t["rows"][1]["cells"][0], "b");
}

TEST(TableShape, IncludeObjectNoneAndObject) {
  json a = configmap("a");
  json none = build_table(kConfigMaps, {&a}, IncludeObject::None, "1", "", std::nullopt, now());
  EXPECT_TRUE(none["rows"][0]["object"].is_null());
  EXPECT_EQ(none["metadata"], json({{"resourceVersion", "1"}}));

  json full = build_table(kConfigMaps, {&a}, IncludeObject::Object, "1", "", std::nullopt, now());
  const json& obj = full["rows"][0]["object"];
  EXPECT_EQ(obj["kind"], "ConfigMap");  // filled in when the stored object lacks it
  EXPECT_EQ(obj["apiVersion"], "v1");
  EXPECT_EQ(obj["data"], a["data"]);
}

TEST(TableShape, EmptyListStillHasColumnsAndRowsArray) {
  json t = build_table(info("apps", "Deployment", "deployments"), {}, IncludeObject::Metadata,
                       "9", "", std::nullopt, now());
  EXPECT_TRUE(t["rows"].is_array());
  EXPECT_TRUE(t["rows"].empty());
  EXPECT_EQ(t["columnDefinitions"].size(), 8u);
}

TEST(TableShape, SingleObjectAndWatchEvents) {
  json a = configmap("a");
  json first = build_table_for_object(kConfigMaps, a, IncludeObject::Metadata, true, now());
  EXPECT_EQ(first["kind"], "Table");
  EXPECT_EQ(first["metadata"]["resourceVersion"], "41");
  EXPECT_EQ(first["columnDefinitions"].size(), 3u);
  ASSERT_EQ(first["rows"].size(), 1u);
  EXPECT_EQ(first["rows"][0]["cells"][0], "a");

  // Later watch events carry no column definitions, like the upstream watch encoder.
  json later = build_table_for_object(kConfigMaps, a, IncludeObject::Metadata, false, now());
  ASSERT_TRUE(later.contains("columnDefinitions"));
  EXPECT_TRUE(later["columnDefinitions"].is_null());
  EXPECT_EQ(later["rows"][0]["cells"], first["rows"][0]["cells"]);
}

TEST(TableShape, DefaultPrinterCreatedAt) {
  json role = {{"metadata", {{"name", "reader"}, {"creationTimestamp", "2024-05-01T10:00:00+02:00"}}}};
  json c = table_row_cells(info("rbac.authorization.k8s.io", "ClusterRole", "clusterroles"), role,
                           now());
  EXPECT_EQ(c, json::array({"reader", "2024-05-01T08:00:00Z"}));
  json bare = {{"metadata", {{"name", "x"}}}};
  EXPECT_EQ(table_row_cells(info("x.io", "Thing", "things"), bare, now())[1],
            "0001-01-01T00:00:00Z");
}

TEST(TableShape, ParseIncludeObject) {
  EXPECT_EQ(parse_include_object("").value(), IncludeObject::Metadata);
  EXPECT_EQ(parse_include_object("Metadata").value(), IncludeObject::Metadata);
  EXPECT_EQ(parse_include_object("None").value(), IncludeObject::None);
  EXPECT_EQ(parse_include_object("Object").value(), IncludeObject::Object);
  auto bad = parse_include_object("Everything");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().reason(), base::Reason::BadRequest);
  EXPECT_EQ(bad.error().message(), "unrecognized includeObject value: \"Everything\"");
}

TEST(TableDurations, HumanDurationMatchesKubernetes) {
  using table::human_duration;
  EXPECT_EQ(human_duration(-3s), "<invalid>");
  EXPECT_EQ(human_duration(-1s), "0s");
  EXPECT_EQ(human_duration(0s), "0s");
  EXPECT_EQ(human_duration(5s), "5s");
  EXPECT_EQ(human_duration(119s), "119s");
  EXPECT_EQ(human_duration(120s), "2m");
  EXPECT_EQ(human_duration(200s), "3m20s");
  EXPECT_EQ(human_duration(10min + 30s), "10m");
  EXPECT_EQ(human_duration(179min), "179m");
  EXPECT_EQ(human_duration(3h), "3h");
  EXPECT_EQ(human_duration(3h + 25min), "3h25m");
  EXPECT_EQ(human_duration(8h + 59min), "8h");
  EXPECT_EQ(human_duration(47h), "47h");
  EXPECT_EQ(human_duration(51h), "2d3h");
  EXPECT_EQ(human_duration(72h), "3d");
  EXPECT_EQ(human_duration(24h * 8), "8d");
  EXPECT_EQ(human_duration(24h * 729), "729d");
  EXPECT_EQ(human_duration(24h * 730), "2y");
  EXPECT_EQ(human_duration(24h * 740), "2y10d");
  EXPECT_EQ(human_duration(24h * 365 * 9), "9y");
}

TEST(TableDurations, TimestampParsing) {
  using table::parse_time;
  EXPECT_TRUE(parse_time("2024-06-01T12:00:00Z"));
  EXPECT_EQ(*parse_time("2024-06-01T14:00:00+02:00"), *parse_time("2024-06-01T12:00:00Z"));
  EXPECT_EQ(*parse_time("2024-06-01T11:59:59.5Z") + std::chrono::milliseconds(500), now());
  EXPECT_FALSE(parse_time(""));
  EXPECT_FALSE(parse_time("2024-06-01"));
  EXPECT_FALSE(parse_time("2024-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_time("2024-06-01T12:00:00"));
  EXPECT_EQ(table::format_time(now()), "2024-06-01T12:00:00Z");
}

TEST(TableSelectors, LabelSelectorFormatting) {
  using table::format_label_selector;
  EXPECT_EQ(format_label_selector(nullptr), "<none>");
  json empty = json::object();
  EXPECT_EQ(format_label_selector(&empty), "<none>");
  json sel = {{"matchLabels", {{"b", "2"}, {"a", "1"}}},
              {"matchExpressions", json::array({{{"key", "c"}, {"operator", "NotIn"},
                                                 {"values", {"y", "x"}}},
                                                {{"key", "aa"}, {"operator", "Exists"}}})}};
  EXPECT_EQ(format_label_selector(&sel), "a=1,aa,b=2,c notin (x,y)");
  json bad = {{"matchExpressions", json::array({{{"key", "c"}, {"operator", "Near"}}})}};
  EXPECT_EQ(format_label_selector(&bad), "<error>");
}

}  // namespace
}  // namespace kite::api::table_test
