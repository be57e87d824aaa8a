// The documents built from the real built-in registry: every $ref resolves and every
// resource kind has its GVK-tagged definition.
#include <gtest/gtest.h>

#include <functional>

#include "api/openapi/openapi.h"

namespace kite::api {
namespace {

TEST(BuiltinOpenApi, EveryGroupVersionDocumentIsSelfContained) {
  auto reg = Registry::with_builtins();
  json root = openapi_v3_root(*reg);
  ASSERT_TRUE(root["paths"].contains("api/v1"));
  ASSERT_TRUE(root["paths"].contains("apis/apps/v1"));
  for (const auto& info : reg->all()) {
    json doc = openapi_v3_group_version(*reg, info->group, info->version);
    const json& schemas = doc["components"]["schemas"];
    std::function<void(const json&)> check = [&](const json& j) {
      if (j.is_object()) {
        if (auto r = j.find("$ref"); r != j.end()) {
          EXPECT_TRUE(schemas.contains(r->get<std::string>().substr(21))) << *r;
        }
        for (const auto& [k, v] : j.items()) check(v);
      } else if (j.is_array()) {
        for (const auto& v : j) check(v);
      }
    };
    check(doc);
    bool tagged = false;
    for (const auto& [name, s] : schemas.items())
      if (s.contains("x-kubernetes-group-version-kind"))
        for (const auto& g : s["x-kubernetes-group-version-kind"])
          tagged |= g["kind"] == info->kind && g["group"] == info->group;
    EXPECT_TRUE(tagged) << info->kind;
  }
  EXPECT_FALSE(openapi_v2_protobuf(*reg).empty());
}

}  // namespace
}  // namespace kite::api
