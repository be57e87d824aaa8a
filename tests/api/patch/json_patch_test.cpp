#include "api/patch/json_patch.h"

#include <gtest/gtest.h>

namespace kite::api {
namespace {

using json = nlohmann::json;

json apply_ok(const char* doc, const char* patch) {
  auto r = apply_json_patch(json::parse(doc), json::parse(patch));
  EXPECT_TRUE(r.has_value()) << patch << ": " << (r ? "" : r.error().message());
  return r ? *r : json();
}

base::Status apply_err(const char* doc, const char* patch) {
  auto r = apply_json_patch(json::parse(doc), json::parse(patch));
  EXPECT_FALSE(r.has_value()) << patch;
  return r ? base::Status() : r.error();
}

TEST(JsonPatch, Add) {
  EXPECT_EQ(apply_ok(R"({"a":1})", R"([{"op":"add","path":"/b","value":{"c":2}}])"),
            json::parse(R"({"a":1,"b":{"c":2}})"));
  EXPECT_EQ(apply_ok(R"({"a":[1,3]})", R"([{"op":"add","path":"/a/1","value":2}])"),
            json::parse(R"({"a":[1,2,3]})"));
  EXPECT_EQ(apply_ok(R"({"a":[1]})", R"([{"op":"add","path":"/a/-","value":2}])"),
            json::parse(R"({"a":[1,2]})"));
  EXPECT_EQ(apply_ok(R"({"a":[1]})", R"([{"op":"add","path":"/a/1","value":2}])"),
            json::parse(R"({"a":[1,2]})"));
  EXPECT_EQ(apply_ok(R"({"a":1})", R"([{"op":"add","path":"/a","value":null}])"),
            json::parse(R"({"a":null})"));
  EXPECT_EQ(apply_ok(R"({"a":1})", R"([{"op":"add","path":"","value":[1]}])"), json::parse("[1]"));
}

TEST(JsonPatch, PointerEscapes) {
  json out = apply_ok(R"({"metadata":{"labels":{}}})",
                      R"([{"op":"add","path":"/metadata/labels/app.kubernetes.io~1name","value":"x"},
                          {"op":"add","path":"/metadata/labels/a~0b","value":"y"}])");
  EXPECT_EQ(out["metadata"]["labels"]["app.kubernetes.io/name"], "x");
  EXPECT_EQ(out["metadata"]["labels"]["a~b"], "y");
}

TEST(JsonPatch, RemoveReplaceMoveCopyTest) {
  EXPECT_EQ(apply_ok(R"({"a":1,"b":2})", R"([{"op":"remove","path":"/a"}])"),
            json::parse(R"({"b":2})"));
  EXPECT_EQ(apply_ok(R"({"a":[1,2,3]})", R"([{"op":"remove","path":"/a/0"}])"),
            json::parse(R"({"a":[2,3]})"));
  EXPECT_EQ(apply_ok(R"({"spec":{"replicas":1}})",
                     R"([{"op":"replace","path":"/spec/replicas","value":3}])"),
            json::parse(R"({"spec":{"replicas":3}})"));
  EXPECT_EQ(apply_ok(R"({"a":{"x":1},"b":{}})", R"([{"op":"move","from":"/a/x","path":"/b/y"}])"),
            json::parse(R"({"a":{},"b":{"y":1}})"));
  EXPECT_EQ(apply_ok(R"({"a":[1,2,3]})", R"([{"op":"move","from":"/a/0","path":"/a/-"}])"),
            json::parse(R"({"a":[2,3,1]})"));
  EXPECT_EQ(apply_ok(R"({"a":{"x":[1]}})", R"([{"op":"copy","from":"/a/x","path":"/b"}])"),
            json::parse(R"({"a":{"x":[1]},"b":[1]})"));
  EXPECT_EQ(apply_ok(R"({"a":{"b":[1,"x"]}})",
                     R"([{"op":"test","path":"/a/b","value":[1,"x"]},
                         {"op":"test","path":"/a/b/0","value":1.0}])"),
            json::parse(R"({"a":{"b":[1,"x"]}})"));
}

TEST(JsonPatch, AppliesInOrderAndLeavesInputOnError) {
  json doc = json::parse(R"({"metadata":{"resourceVersion":"5"},"spec":{"replicas":1}})");
  auto ok = apply_json_patch(doc, json::parse(R"([
      {"op":"test","path":"/metadata/resourceVersion","value":"5"},
      {"op":"replace","path":"/spec/replicas","value":2},
      {"op":"add","path":"/spec/paused","value":true}])"));
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ((*ok)["spec"], json::parse(R"({"replicas":2,"paused":true})"));

  json before = doc;
  auto failed = apply_json_patch(doc, json::parse(R"([
      {"op":"replace","path":"/spec/replicas","value":2},
      {"op":"test","path":"/metadata/resourceVersion","value":"6"}])"));
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().reason(), base::Reason::Invalid);
  EXPECT_EQ(failed.error().code(), 422);
  EXPECT_EQ(doc, before);
}

TEST(JsonPatch, DoesNotApplyIsInvalid) {
  EXPECT_EQ(apply_err(R"({"a":1})", R"([{"op":"remove","path":"/b"}])").reason(),
            base::Reason::Invalid);
  EXPECT_EQ(apply_err(R"({"a":1})", R"([{"op":"replace","path":"/b","value":1}])").reason(),
            base::Reason::Invalid);
  EXPECT_EQ(apply_err(R"({"a":1})", R"([{"op":"add","path":"/x/y","value":1}])").reason(),
            base::Reason::Invalid);
  EXPECT_EQ(apply_err(R"({"a":[1]})", R"([{"op":"add","path":"/a/5","value":1}])").reason(),
            base::Reason::Invalid);
  EXPECT_EQ(apply_err(R"({"a":[1]})", R"([{"op":"add","path":"/a/01","value":1}])").reason(),
            base::Reason::Invalid);
  EXPECT_EQ(apply_err(R"({"a":[1]})", R"([{"op":"remove","path":"/a/1"}])").reason(),
            base::Reason::Invalid);
  EXPECT_EQ(apply_err(R"({"a":1})", R"([{"op":"test","path":"/a","value":2}])").reason(),
            base::Reason::Invalid);
  EXPECT_EQ(apply_err(R"({"a":1})", R"([{"op":"test","path":"/b","value":1}])").reason(),
            base::Reason::Invalid);
  EXPECT_EQ(apply_err(R"({"a":{"b":1}})", R"([{"op":"move","from":"/a","path":"/a/b/c"}])").reason(),
            base::Reason::Invalid);
  EXPECT_EQ(apply_err(R"({"a":1})", R"([{"op":"copy","from":"/nope","path":"/b"}])").reason(),
            base::Reason::Invalid);
  base::Status st = apply_err(R"({"a":1})", R"([{"op":"remove","path":"/b"}])");
  EXPECT_NE(st.message().find("/b"), std::string::npos) << st.message();
}

TEST(JsonPatch, MalformedIsBadRequest) {
  EXPECT_EQ(apply_err("{}", R"({"op":"add","path":"/a","value":1})").reason(),
            base::Reason::BadRequest);
  EXPECT_EQ(apply_err("{}", R"([1])").reason(), base::Reason::BadRequest);
  EXPECT_EQ(apply_err("{}", R"([{"path":"/a","value":1}])").reason(), base::Reason::BadRequest);
  EXPECT_EQ(apply_err("{}", R"([{"op":"frobnicate","path":"/a"}])").reason(),
            base::Reason::BadRequest);
  EXPECT_EQ(apply_err("{}", R"([{"op":"add","value":1}])").reason(), base::Reason::BadRequest);
  EXPECT_EQ(apply_err("{}", R"([{"op":"add","path":"/a"}])").reason(), base::Reason::BadRequest);
  EXPECT_EQ(apply_err("{}", R"([{"op":"add","path":"a","value":1}])").reason(),
            base::Reason::BadRequest);
  EXPECT_EQ(apply_err("{}", R"([{"op":"add","path":"/a~2","value":1}])").reason(),
            base::Reason::BadRequest);
  EXPECT_EQ(apply_err(R"({"a":1})", R"([{"op":"move","path":"/b"}])").reason(),
            base::Reason::BadRequest);
}

TEST(JsonPatch, EmptyPatchIsIdentity) {
  EXPECT_EQ(apply_ok(R"({"a":1})", "[]"), json::parse(R"({"a":1})"));
}

}  // namespace
}  // namespace kite::api
