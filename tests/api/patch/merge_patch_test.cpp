#include "api/patch/merge_patch.h"

#include <gtest/gtest.h>

namespace kite::api {
namespace {

using json = nlohmann::json;

json merge(const char* doc, const char* patch) {
  return apply_merge_patch(json::parse(doc), json::parse(patch));
}

// The examples of RFC 7386 appendix A.
TEST(MergePatch, RfcExamples) {
  EXPECT_EQ(merge(R"({"a":"b"})", R"({"a":"c"})"), json::parse(R"({"a":"c"})"));
  EXPECT_EQ(merge(R"({"a":"b"})", R"({"b":"c"})"), json::parse(R"({"a":"b","b":"c"})"));
  EXPECT_EQ(merge(R"({"a":"b"})", R"({"a":null})"), json::parse(R"({})"));
  EXPECT_EQ(merge(R"({"a":"b","b":"c"})", R"({"a":null})"), json::parse(R"({"b":"c"})"));
  EXPECT_EQ(merge(R"({"a":["b"]})", R"({"a":"c"})"), json::parse(R"({"a":"c"})"));
  EXPECT_EQ(merge(R"({"a":"c"})", R"({"a":["b"]})"), json::parse(R"({"a":["b"]})"));
  EXPECT_EQ(merge(R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})"),
            json::parse(R"({"a":{"b":"d"}})"));
  EXPECT_EQ(merge(R"({"a":[{"b":"c"}]})", R"({"a":[1]})"), json::parse(R"({"a":[1]})"));
  EXPECT_EQ(merge(R"(["a","b"])", R"(["c","d"])"), json::parse(R"(["c","d"])"));
  EXPECT_EQ(merge(R"({"a":"b"})", R"(["c"])"), json::parse(R"(["c"])"));
  EXPECT_EQ(merge(R"({"a":"foo"})", "null"), json());
  EXPECT_EQ(merge(R"({"a":"foo"})", R"("bar")"), json("bar"));
  EXPECT_EQ(merge(R"({"e":null})", R"({"a":1})"), json::parse(R"({"e":null,"a":1})"));
  EXPECT_EQ(merge(R"([1,2])", R"({"a":"b","c":null})"), json::parse(R"({"a":"b"})"));
  EXPECT_EQ(merge(R"({})", R"({"a":{"bb":{"ccc":null}}})"), json::parse(R"({"a":{"bb":{}}})"));
}

TEST(MergePatch, KubernetesShapes) {
  json doc = json::parse(R"({"metadata":{"labels":{"a":"1","b":"2"}},
                              "spec":{"replicas":1,"template":{"spec":{"containers":[{"name":"c","image":"x:1"}]}}}})");
  json out = apply_merge_patch(doc, json::parse(R"({"metadata":{"labels":{"a":null,"c":"3"}},
                                                    "spec":{"replicas":3}})"));
  EXPECT_EQ(out["metadata"]["labels"], json::parse(R"({"b":"2","c":"3"})"));
  EXPECT_EQ(out["spec"]["replicas"], 3);
  EXPECT_EQ(out["spec"]["template"], doc["spec"]["template"]);
}

}  // namespace
}  // namespace kite::api
