#include <gtest/gtest.h>

#include <map>

#include "api/openapi/openapi.h"
#include "tests/api/validation/test_schemas.h"

namespace kite::api {
namespace {

std::vector<ResourceInfoPtr> resources() {
  auto pod = testing::pod_info();
  pod->subresources = {"status", "log", "exec"};
  auto ns = testing::info("", "v1", "Namespace", "namespaces", false, nullptr);
  auto crd_schema = testing::node(Schema::Type::Object);
  crd_schema->properties["spec"] = testing::node(Schema::Type::Object);
  auto widget = testing::info("example.com", "v1", "Widget", "widgets", true, crd_schema);
  widget->custom = true;
  return {pod, ns, testing::deployment_info(), widget};
}

TEST(OpenApiV3, RootListsEveryGroupVersionWithHash) {
  json root = openapi_v3_root(resources());
  ASSERT_TRUE(root["paths"].contains("api/v1"));
  ASSERT_TRUE(root["paths"].contains("apis/apps/v1"));
  ASSERT_TRUE(root["paths"].contains("apis/example.com/v1"));
  std::string url = root["paths"]["apis/apps/v1"]["serverRelativeURL"];
  EXPECT_TRUE(url.starts_with("/openapi/v3/apis/apps/v1?hash=")) << url;
  EXPECT_EQ(url.size(), std::string("/openapi/v3/apis/apps/v1?hash=").size() + 16);
  EXPECT_EQ(openapi_v3_root(resources()), root);  // stable
}

TEST(OpenApiV3, GroupVersionDocumentForKubectlExplain) {
  json doc = openapi_v3_group_version(resources(), "apps", "v1");
  EXPECT_EQ(doc["openapi"], "3.0.0");
  const json& schemas = doc["components"]["schemas"];
  ASSERT_TRUE(schemas.contains("io.k8s.api.apps.v1.Deployment"));
  EXPECT_EQ(schemas["io.k8s.api.apps.v1.Deployment"]["x-kubernetes-group-version-kind"],
            json::parse(R"([{"group":"apps","kind":"Deployment","version":"v1"}])"));
  EXPECT_FALSE(schemas.contains("io.k8s.api.core.v1.Pod"));  // other group-version
  // Every $ref resolves inside the document.
  std::function<void(const json&)> check_refs = [&](const json& j) {
    if (j.is_object()) {
      if (j.contains("$ref")) {
        std::string ref = j["$ref"];
        ASSERT_TRUE(ref.starts_with("#/components/schemas/")) << ref;
        EXPECT_TRUE(schemas.contains(ref.substr(21))) << ref;
      }
      for (const auto& [k, v] : j.items()) check_refs(v);
    } else if (j.is_array()) {
      for (const auto& v : j) check_refs(v);
    }
  };
  check_refs(doc);
  ASSERT_TRUE(schemas.contains("io.k8s.api.core.v1.PodSpec"));
  ASSERT_TRUE(schemas.contains("io.k8s.api.core.v1.Container"));
  const json& containers = schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"];
  EXPECT_EQ(containers["type"], "array");
  EXPECT_EQ(containers["x-kubernetes-patch-merge-key"], "name");
  EXPECT_EQ(containers["items"]["allOf"][0]["$ref"], "#/components/schemas/io.k8s.api.core.v1.Container");

  // kubectl explain finds the kind through the operations of these paths.
  const json& item = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"];
  EXPECT_EQ(item["get"]["x-kubernetes-group-version-kind"],
            json::parse(R"({"group":"apps","kind":"Deployment","version":"v1"})"));
  EXPECT_EQ(item["get"]["operationId"], "readAppsV1NamespacedDeployment");
  // kubectl's field validation probe: a PATCH operation with the GVK and fieldValidation.
  bool has_field_validation = false;
  for (const auto& p : item["patch"]["parameters"]) has_field_validation |= p["name"] == "fieldValidation";
  EXPECT_TRUE(has_field_validation);
  EXPECT_TRUE(item["patch"]["requestBody"]["content"].contains("application/strategic-merge-patch+json"));
  EXPECT_TRUE(doc["paths"].contains("/apis/apps/v1/deployments"));
}

TEST(OpenApiV3, CoreAndCustomPaths) {
  json core = openapi_v3_group_version(resources(), "", "v1");
  EXPECT_TRUE(core["paths"].contains("/api/v1/namespaces/{namespace}/pods"));
  EXPECT_TRUE(core["paths"].contains("/api/v1/namespaces/{namespace}/pods/{name}/status"));
  EXPECT_TRUE(core["paths"].contains("/api/v1/namespaces/{name}"));
  EXPECT_FALSE(core["paths"].contains("/api/v1/namespaces/{namespace}/namespaces"));
  EXPECT_EQ(core["paths"]["/api/v1/namespaces/{namespace}/pods"]["get"]["operationId"],
            "listCoreV1NamespacedPod");
  json custom = openapi_v3_group_version(resources(), "example.com", "v1");
  ASSERT_TRUE(custom["components"]["schemas"].contains("com.example.v1.Widget"));
  const json& patch = custom["paths"]["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}"]["patch"];
  EXPECT_FALSE(patch["requestBody"]["content"].contains("application/strategic-merge-patch+json"));
  EXPECT_TRUE(openapi_v3_group_version(resources(), "nope", "v1")["paths"].empty());
}

// A minimal protobuf reader for the test: the fields of one message.
struct Field {
  uint32_t number;
  uint64_t varint = 0;
  std::string bytes;
};

std::vector<Field> parse(std::string_view in) {
  std::vector<Field> out;
  size_t i = 0;
  auto varint = [&]() {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      uint8_t b = static_cast<uint8_t>(in.at(i++));
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
  };
  while (i < in.size()) {
    uint64_t tag = varint();
    Field f{static_cast<uint32_t>(tag >> 3)};
    switch (tag & 7) {
      case 0: f.varint = varint(); break;
      case 1: f.bytes = std::string(in.substr(i, 8)); i += 8; break;
      case 2: {
        uint64_t n = varint();
        f.bytes = std::string(in.substr(i, n));
        i += n;
        break;
      }
      default: throw std::runtime_error("bad wire type");
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<std::string> all(const std::string& msg, uint32_t n) {
  std::vector<std::string> out;
  for (auto& f : parse(msg))
    if (f.number == n) out.push_back(f.bytes);
  return out;
}
std::string one(const std::string& msg, uint32_t n) {
  auto v = all(msg, n);
  return v.empty() ? "" : v[0];
}

// name -> encoded value of a repeated Named* (name = 1, value = 2) field.
std::map<std::string, std::string> named(const std::string& msg, uint32_t n) {
  std::map<std::string, std::string> out;
  for (const auto& entry : all(msg, n)) out[one(entry, 1)] = one(entry, 2);
  return out;
}

TEST(OpenApiV2, ProtobufDocumentDecodes) {
  std::string pb = openapi_v2_protobuf(resources());
  EXPECT_EQ(one(pb, 1), "2.0");
  auto defs = named(one(pb, 9), 1);
  ASSERT_TRUE(defs.count("io.k8s.api.apps.v1.Deployment"));
  ASSERT_TRUE(defs.count("io.k8s.api.core.v1.Pod"));
  ASSERT_TRUE(defs.count("com.example.v1.Widget"));
  // x-kubernetes-group-version-kind as NamedAny, Any.yaml = YAML of the list.
  auto ext = named(defs["io.k8s.api.apps.v1.Deployment"], 31);
  ASSERT_TRUE(ext.count("x-kubernetes-group-version-kind"));
  json gvk = json::parse(one(ext["x-kubernetes-group-version-kind"], 2));
  EXPECT_EQ(gvk, json::parse(R"([{"group":"apps","kind":"Deployment","version":"v1"}])"));
  // Type (TypeItem.value) and properties with the merge key of containers.
  const std::string& pod_spec = defs["io.k8s.api.core.v1.PodSpec"];
  EXPECT_EQ(one(one(pod_spec, 22), 1), "object");
  auto props = named(one(pod_spec, 25), 1);
  ASSERT_TRUE(props.count("containers"));
  auto cext = named(props["containers"], 31);
  EXPECT_EQ(one(cext["x-kubernetes-patch-merge-key"], 2), "\"name\"");
  EXPECT_EQ(one(cext["x-kubernetes-patch-strategy"], 2), "\"merge\"");
  std::string items = one(one(props["containers"], 23), 1);  // ItemsItem.schema[0]
  EXPECT_EQ(one(items, 1), "#/definitions/io.k8s.api.core.v1.Container");
  // required (19) of Container.
  EXPECT_EQ(all(defs["io.k8s.api.core.v1.Container"], 19), std::vector<std::string>{"name"});
  // Labels: additionalProperties (21) -> schema (1) of type string.
  auto meta_props = named(one(defs["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"], 25), 1);
  EXPECT_EQ(one(one(one(one(meta_props["labels"], 21), 1), 22), 1), "string");
  // Paths: a path item with a PATCH (8) operation carrying fieldValidation as a query param.
  auto paths = named(one(pb, 8), 2);
  ASSERT_TRUE(paths.count("/apis/apps/v1/namespaces/{namespace}/deployments/{name}"));
  std::string patch = one(paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"], 8);
  EXPECT_EQ(one(patch, 5), "patchAppsV1NamespacedDeployment");
  bool found = false;
  for (const auto& item : all(patch, 8)) {
    std::string non_body = one(one(item, 1), 2);
    if (!non_body.empty() && one(one(non_body, 3), 4) == "fieldValidation") found = true;
  }
  EXPECT_TRUE(found);
}

TEST(OpenApiV2, JsonDocument) {
  json doc = openapi_v2_json(resources());
  EXPECT_EQ(doc["swagger"], "2.0");
  EXPECT_EQ(doc["definitions"]["io.k8s.api.core.v1.PodList"]["x-kubernetes-group-version-kind"][0]["kind"],
            "PodList");
  EXPECT_EQ(doc["definitions"]["io.k8s.api.core.v1.PodList"]["properties"]["items"]["items"]["$ref"],
            "#/definitions/io.k8s.api.core.v1.Pod");
}

TEST(OpenApiHash, StableAndDistinct) {
  EXPECT_EQ(openapi_hash("abc"), openapi_hash("abc"));
  EXPECT_NE(openapi_hash("abc"), openapi_hash("abd"));
  EXPECT_EQ(openapi_hash("").size(), 16u);
}

}  // namespace
}  // namespace kite::api
