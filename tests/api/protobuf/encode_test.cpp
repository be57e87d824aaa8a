// Encoding JSON objects as Kubernetes protobuf bodies (api/protobuf/encode.h), checked by
// byte layout and by round trips through the decoder.
#include "api/protobuf/encode.h"

#include <gtest/gtest.h>

#include "api/protobuf/decode.h"
#include "api/protobuf/wrapper_types.h"
#include "api/resource.h"
#include "api/schemas/builtin_schemas.h"
#include "tests/api/protobuf/kubectl_captures.h"
#include "tests/api/protobuf/proto_writer.h"

namespace kite::api {
namespace {

using json = nlohmann::json;
using testing::ProtoWriter;

json round_trip(const json& obj) {
  std::string av = obj["apiVersion"];
  auto slash = av.find('/');
  std::string group = slash == std::string::npos ? "" : av.substr(0, slash);
  std::string version = slash == std::string::npos ? av : av.substr(slash + 1);
  auto schema = kind_schema(group, version, obj["kind"]);
  EXPECT_TRUE(schema) << av << " " << obj["kind"];
  if (!schema) return json();
  auto body = encode_kubernetes_protobuf(obj, *schema);
  EXPECT_TRUE(body.has_value()) << (body ? "" : body.error().message());
  if (!body) return json();
  auto registry = Registry::with_builtins();
  auto back = decode_kubernetes_protobuf(*body, *registry);
  EXPECT_TRUE(back.has_value()) << (back ? "" : back.error().message());
  return back ? *back : json();
}

TEST(ProtobufEncode, ConfigMapBytesInFieldOrder) {
  json cm = json::parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},
                            "data":{"b":"2","a":"1"},"immutable":true})");
  auto body = encode_kubernetes_protobuf(cm, *kind_schema("", "v1", "ConfigMap"));
  ASSERT_TRUE(body.has_value()) << body.error().message();
  ProtoWriter raw;
  raw.message(1, ProtoWriter().bytes(1, "c"))
      .map_entry(2, "a", "1")
      .map_entry(2, "b", "2")
      .boolean(4, true);
  EXPECT_EQ(*body, testing::k8s_envelope("v1", "ConfigMap", raw));
}

TEST(ProtobufEncode, KubectlCapturesRoundTrip) {
  auto registry = Registry::with_builtins();
  for (const auto& c : testing::kKubectlCaptures) {
    SCOPED_TRACE(c.command);
    json want = json::parse(c.json);
    EXPECT_EQ(round_trip(want), want);
  }
}

TEST(ProtobufEncode, WrappersAndNestedTypesRoundTrip) {
  json deploy = json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"},
                 "creationTimestamp": "2026-11-22T04:07:05Z", "generation": 3,
                 "ownerReferences": [{"apiVersion": "v1", "kind": "X", "name": "o", "uid": "u",
                                      "controller": true}],
                 "managedFields": [{"manager": "kubectl", "operation": "Update",
                                    "fieldsType": "FieldsV1",
                                    "fieldsV1": {"f:spec": {"f:replicas": {}}}}]},
    "spec": {
      "replicas": 0, "selector": {"matchLabels": {"app": "web"}},
      "strategy": {"type": "RollingUpdate",
                   "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "25%"}},
      "template": {"metadata": {"labels": {"app": "web"}},
        "spec": {
          "volumes": [{"name": "s", "emptyDir": {"sizeLimit": "1Gi"}},
                      {"name": "c", "configMap": {"name": "cfg", "defaultMode": 420}}],
          "containers": [{"name": "web", "image": "nginx", "args": ["-g", "daemon off;"],
                          "ports": [{"containerPort": 80, "protocol": "TCP"}],
                          "readinessProbe": {"httpGet": {"path": "/", "port": "http"},
                                             "periodSeconds": 5},
                          "securityContext": {"runAsUser": -1, "privileged": false},
                          "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}}}],
          "securityContext": {"supplementalGroups": [1, 2, 3]}}}},
    "status": {"replicas": 2, "conditions": [{"type": "Available", "status": "True",
               "lastUpdateTime": "2026-01-02T03:04:05Z"}]}
  })");
  EXPECT_EQ(round_trip(deploy), deploy);

  json lease = json::parse(R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease",
      "metadata":{"name":"n1","namespace":"kube-node-lease"},
      "spec":{"holderIdentity":"n1","leaseDurationSeconds":40,
              "renewTime":"2026-11-22T04:07:05.123456Z"}})");
  EXPECT_EQ(round_trip(lease), lease);

  json secret = json::parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},
      "data":{"k":"AP8=","e":""},"type":"Opaque"})");
  EXPECT_EQ(round_trip(secret), secret);
}

TEST(ProtobufEncode, Errors) {
  auto schema = kind_schema("", "v1", "ConfigMap");
  auto wrong = encode_kubernetes_protobuf(json::parse(R"({"metadata":{"name":5}})"), *schema);
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().reason(), base::Reason::BadRequest);
  EXPECT_NE(wrong.error().message().find("metadata.name"), std::string::npos);

  auto secret = kind_schema("", "v1", "Secret");
  auto not_b64 = encode_kubernetes_protobuf(json::parse(R"({"data":{"k":"!!"}})"), *secret);
  ASSERT_FALSE(not_b64.has_value());

  auto deploy = kind_schema("apps", "v1", "Deployment");
  auto bad_time = encode_kubernetes_protobuf(
      json::parse(R"({"metadata":{"creationTimestamp":"yesterday"}})"), *deploy);
  ASSERT_FALSE(bad_time.has_value());

  Schema custom;  // a CRD's schema: no field numbers
  custom.type = Schema::Type::Object;
  custom.properties["spec"] = std::make_shared<Schema>();
  auto cr = encode_kubernetes_protobuf(json::object(), custom);
  ASSERT_FALSE(cr.has_value());
  EXPECT_EQ(cr.error().reason(), base::Reason::UnsupportedMediaType);
}

TEST(ProtobufEncode, TimeAndDurationParsers) {
  int64_t s = 0;
  int32_t n = 0;
  ASSERT_TRUE(parse_rfc3339("2026-11-22T04:07:05Z", s, n));
  EXPECT_EQ(s, 1795320425);
  EXPECT_EQ(n, 0);
  ASSERT_TRUE(parse_rfc3339("2026-11-22T06:07:05.5+02:00", s, n));
  EXPECT_EQ(s, 1795320425);
  EXPECT_EQ(n, 500000000);
  ASSERT_TRUE(parse_rfc3339("1969-07-20T20:17:40Z", s, n));
  EXPECT_EQ(s, -14182940);
  EXPECT_FALSE(parse_rfc3339("2026-11-22 04:07:05Z", s, n));
  EXPECT_FALSE(parse_rfc3339("2026-11-22T04:07:05", s, n));
  EXPECT_FALSE(parse_rfc3339("2026-13-22T04:07:05Z", s, n));

  int64_t ns = 0;
  ASSERT_TRUE(parse_go_duration("1h2m3.5s", ns));
  EXPECT_EQ(ns, 3723500000000);
  ASSERT_TRUE(parse_go_duration("-150ms", ns));
  EXPECT_EQ(ns, -150000000);
  ASSERT_TRUE(parse_go_duration("0", ns));
  EXPECT_EQ(ns, 0);
  ASSERT_TRUE(parse_go_duration("1.5\xc2\xb5s", ns));
  EXPECT_EQ(ns, 1500);
  EXPECT_FALSE(parse_go_duration("5 minutes", ns));
  EXPECT_FALSE(parse_go_duration("", ns));
  for (int64_t v : {int64_t{0}, int64_t{1500}, int64_t{90000000000}, int64_t{-3723500000000}}) {
    ASSERT_TRUE(parse_go_duration(format_go_duration(v), ns)) << v;
    EXPECT_EQ(ns, v);
  }
}

}  // namespace
}  // namespace kite::api
