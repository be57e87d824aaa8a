// Schema::from_openapi_v3 / to_openapi_v3: structural CRD schemas in, the same schemas out,
// non-structural ones rejected.
#include <gtest/gtest.h>

#include "api/schema.h"
#include "api/schemas/builtin_schemas.h"

namespace kite::api {
namespace {

using Type = Schema::Type;

json sample() {
  return json::parse(R"({
    "type": "object",
    "description": "A widget.",
    "required": ["spec"],
    "properties": {
      "spec": {
        "type": "object",
        "required": ["size"],
        "properties": {
          "size": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 10, "default": 3},
          "mode": {"type": "string", "enum": ["fast", "slow"], "pattern": "^[a-z]+$",
                   "minLength": 1, "maxLength": 8},
          "port": {"x-kubernetes-int-or-string": true,
                   "anyOf": [{"type": "integer"}, {"type": "string"}]},
          "labels": {"type": "object", "additionalProperties": {"type": "string"},
                     "x-kubernetes-map-type": "atomic"},
          "items": {"type": "array", "minItems": 0, "maxItems": 5,
                    "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                    "items": {"type": "object", "required": ["name"],
                              "properties": {"name": {"type": "string"}}}},
          "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
          "raw": {"x-kubernetes-preserve-unknown-fields": true},
          "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
          "pod": {"type": "object", "x-kubernetes-embedded-resource": true,
                  "x-kubernetes-preserve-unknown-fields": true},
          "ratio": {"type": "number", "nullable": true},
          "on": {"type": "boolean"}
        }
      },
      "status": {"type": "object", "properties": {"ready": {"type": "boolean"}}}
    }
  })");
}

TEST(OpenApiV3, FromStructuralSchema) {
  auto s = Schema::from_openapi_v3(sample());
  ASSERT_TRUE(s.has_value()) << s.error().message();
  const Schema& root = **s;
  EXPECT_EQ(root.type, Type::Object);
  EXPECT_EQ(root.required, std::vector<std::string>{"spec"});
  const Schema* spec = root.property("spec");
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(spec->property("size")->format, "int32");
  EXPECT_EQ(*spec->property("size")->minimum, 1);
  EXPECT_EQ(*spec->property("size")->default_value, json(3));
  EXPECT_EQ(spec->property("port")->type, Type::IntOrString);
  EXPECT_EQ(spec->child("labels")->child("anything")->type, Type::String);
  EXPECT_EQ(spec->property("items")->list_type, "map");
  EXPECT_EQ(spec->property("items")->items->type, Type::Object);
  EXPECT_EQ(spec->property("raw")->type, Type::Any);
  EXPECT_TRUE(spec->property("free")->preserve_unknown_fields);
  EXPECT_TRUE(spec->property("pod")->embedded_resource);
  EXPECT_TRUE(spec->property("ratio")->nullable);
  EXPECT_EQ(spec->property("mode")->enum_values.size(), 2u);
  EXPECT_EQ(*spec->property("mode")->max_length, 8);
  EXPECT_EQ(root.child("nope"), nullptr);
}

TEST(OpenApiV3, RoundTrip) {
  auto s = Schema::from_openapi_v3(sample());
  ASSERT_TRUE(s.has_value());
  json out = (*s)->to_openapi_v3(false);
  EXPECT_EQ(out, sample()) << out.dump(2);
  auto again = Schema::from_openapi_v3(out);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ((*again)->to_openapi_v3(false), out);
}

TEST(OpenApiV3, RejectsNonStructural) {
  struct Case {
    const char* schema;
    const char* field;
  };
  const Case cases[] = {
      {R"({"properties": {"a": {"type": "string"}}})", "openAPIV3Schema.type"},
      {R"({"type": "string"})", "openAPIV3Schema.type"},
      {R"({"type": "object", "properties": {"a": {}}})", "openAPIV3Schema.properties[a].type"},
      {R"({"type": "object", "properties": {"a": {"type": "array"}}})",
       "openAPIV3Schema.properties[a].items"},
      {R"({"type": "object", "properties": {"a": {"type": "widget"}}})",
       "openAPIV3Schema.properties[a].type"},
      {R"({"type": "object", "properties": {"a": {"$ref": "#/x"}}})",
       "openAPIV3Schema.properties[a].$ref"},
      {R"({"type": "object", "properties": {"a": {"type": "string"}},
           "additionalProperties": {"type": "string"}})",
       "openAPIV3Schema.additionalProperties"},
      {R"({"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string"},
           "x-kubernetes-list-type": "map"}}})",
       "openAPIV3Schema.properties[a].x-kubernetes-list-map-keys"},
      {R"({"type": "object", "properties": {"a": {"type": "string", "x-kubernetes-list-type": "set"}}})",
       "openAPIV3Schema.properties[a].x-kubernetes-list-type"},
      {R"({"type": "object", "properties": {"a": {"type": "string", "properties": {}}}})",
       "openAPIV3Schema.properties[a].properties"},
  };
  for (const auto& c : cases) {
    auto r = Schema::from_openapi_v3(json::parse(c.schema));
    ASSERT_FALSE(r.has_value()) << c.schema;
    EXPECT_EQ(r.error().reason(), base::Reason::Invalid);
    ASSERT_FALSE(r.error().causes().empty());
    EXPECT_EQ(r.error().causes()[0].field, c.field) << c.schema;
  }
}

TEST(OpenApiV3, BuiltinWithRefs) {
  SchemaPtr spec = builtin_schema("io.k8s.api.apps.v1.DeploymentSpec");
  ASSERT_NE(spec, nullptr);
  json j = spec->to_openapi_v3(true);
  EXPECT_EQ(j["type"], "object");
  EXPECT_EQ(j["properties"]["template"]["allOf"][0]["$ref"],
            "#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec");
  EXPECT_EQ(j["properties"]["template"]["description"], "Pod template for new pods.");
  json deploy = builtin_schema("io.k8s.api.apps.v1.Deployment")->to_openapi_v3(true);
  EXPECT_EQ(deploy["properties"]["status"],
            json({{"$ref", "#/components/schemas/io.k8s.api.apps.v1.DeploymentStatus"}}));
  // A field that amends its definition keeps the amendment next to an allOf reference.
  EXPECT_EQ(j["properties"]["strategy"]["x-kubernetes-patch-strategy"], "retainKeys");
  EXPECT_EQ(j["properties"]["strategy"]["allOf"][0]["$ref"],
            "#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy");
  EXPECT_EQ(j["properties"]["replicas"]["format"], "int32");
  json containers = builtin_schema("io.k8s.api.core.v1.PodSpec")->to_openapi_v3(true)["properties"]["containers"];
  EXPECT_EQ(containers["x-kubernetes-patch-merge-key"], "name");
  EXPECT_EQ(containers["items"]["$ref"], "#/components/schemas/io.k8s.api.core.v1.Container");
  // Without refs everything is inline.
  json inl = spec->to_openapi_v3(false);
  EXPECT_EQ(inl["properties"]["template"]["properties"]["spec"]["properties"]["containers"]["type"], "array");
}

}  // namespace
}  // namespace kite::api
