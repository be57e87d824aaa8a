// Decoding of hand-built Kubernetes protobuf bodies (api/protobuf/decode.h).
#include "api/protobuf/decode.h"

#include <gtest/gtest.h>

#include "api/resource.h"
#include "tests/api/protobuf/proto_writer.h"

namespace kite::api {
namespace {

using json = nlohmann::json;
using testing::k8s_envelope;
using testing::ProtoWriter;

// ObjectMeta as gogo-protobuf writes it for a new object: every non-pointer field present,
// strings empty, creationTimestamp an empty Time message.
ProtoWriter object_meta(std::string_view name, std::string_view ns = "") {
  ProtoWriter m;
  m.bytes(1, name).bytes(2, "").bytes(3, ns).bytes(4, "").bytes(5, "").bytes(6, "");
  m.varint(7, 0).message(8, ProtoWriter());
  return m;
}

json decode(const std::string& body) {
  auto registry = Registry::with_builtins();
  auto r = decode_kubernetes_protobuf(body, *registry);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message());
  return r ? *r : json();
}

base::Status decode_error(const std::string& body) {
  auto registry = Registry::with_builtins();
  auto r = decode_kubernetes_protobuf(body, *registry);
  EXPECT_FALSE(r.has_value()) << (r ? r->dump() : "");
  return r ? base::Status() : r.error();
}

TEST(ProtobufDecode, ConfigMap) {
  ProtoWriter cm;
  cm.message(1, object_meta("settings", "default"))
      .map_entry(2, "mode", "fast")
      .map_entry(2, "empty", "")
      .map_entry(3, "blob", std::string("\x00\xff", 2))
      .boolean(4, false);  // immutable is a pointer: false on the wire is kept
  json got = decode(k8s_envelope("v1", "ConfigMap", cm));
  json want = {{"apiVersion", "v1"},
               {"kind", "ConfigMap"},
               {"metadata", {{"name", "settings"}, {"namespace", "default"}}},
               {"data", {{"mode", "fast"}, {"empty", ""}}},
               {"binaryData", {{"blob", "AP8="}}},
               {"immutable", false}};
  EXPECT_EQ(got, want) << got.dump();
}

TEST(ProtobufDecode, SecretBytesAreBase64) {
  ProtoWriter s;
  s.message(1, object_meta("creds", "prod"))
      .map_entry(2, "password", "hunter2")
      .map_entry(2, "one", "a")
      .map_entry(2, "two", "ab")
      .bytes(3, "Opaque");
  json got = decode(k8s_envelope("v1", "Secret", s));
  EXPECT_EQ(got["data"], json({{"password", "aHVudGVyMg=="}, {"one", "YQ=="}, {"two", "YWI="}}));
  EXPECT_EQ(got["type"], "Opaque");
  EXPECT_FALSE(got.contains("immutable"));
}

TEST(ProtobufDecode, DeploymentNestedSpec) {
  ProtoWriter labels_meta = object_meta("web", "default");
  labels_meta.map_entry(11, "app", "web");
  ProtoWriter created = object_meta("web", "default");
  created.map_entry(11, "app", "web");
  // creationTimestamp replaced: a later field 8 wins, as protobuf merges.
  created.message(8, ProtoWriter().int64(1, 1795320425).varint(2, 0));

  ProtoWriter container;
  container.bytes(1, "web").bytes(2, "nginx:1.27");
  container.message(6, ProtoWriter().bytes(1, "").varint(2, 0).varint(3, 80).bytes(4, "TCP").bytes(5, ""));
  ProtoWriter resources;
  resources.map_entry(1, "cpu", ProtoWriter().bytes(1, "500m"))
      .map_entry(2, "memory", ProtoWriter().bytes(1, "64Mi"));
  container.message(8, resources);
  container.boolean(16, false);  // stdin: non-pointer omitempty, dropped

  ProtoWriter volume;
  volume.bytes(1, "scratch").message(2, ProtoWriter().message(2, ProtoWriter()));  // emptyDir {}

  ProtoWriter pod_spec;
  pod_spec.message(1, volume).message(2, container).int64(4, 30).boolean(11, false);
  ProtoWriter tmpl;
  tmpl.message(1, labels_meta).message(2, pod_spec);

  ProtoWriter strategy;
  strategy.bytes(1, "RollingUpdate")
      .message(2, ProtoWriter()
                      .message(1, ProtoWriter().varint(1, 0).varint(2, 1).bytes(3, ""))
                      .message(2, ProtoWriter().varint(1, 1).varint(2, 0).bytes(3, "25%")));
  ProtoWriter spec;
  spec.varint(1, 0)  // replicas is a pointer: 0 is kept
      .message(2, ProtoWriter().map_entry(1, "app", "web"))
      .message(3, tmpl)
      .message(4, strategy)
      .varint(5, 0)       // minReadySeconds: dropped
      .boolean(7, false)  // paused: dropped
      .int64(9, 600);
  ProtoWriter status;
  status.varint(1, 0).varint(2, 0);

  ProtoWriter d;
  d.message(1, created).message(2, spec).message(3, status);
  json got = decode(k8s_envelope("apps/v1", "Deployment", d));
  json want = json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"},
                 "creationTimestamp": "2026-11-22T04:07:05Z"},
    "spec": {
      "replicas": 0,
      "selector": {"matchLabels": {"app": "web"}},
      "progressDeadlineSeconds": 600,
      "strategy": {"type": "RollingUpdate",
                   "rollingUpdate": {"maxUnavailable": 1, "maxSurge": "25%"}},
      "template": {
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {
          "volumes": [{"name": "scratch", "emptyDir": {}}],
          "terminationGracePeriodSeconds": 30,
          "containers": [{"name": "web", "image": "nginx:1.27",
                          "ports": [{"containerPort": 80, "protocol": "TCP"}],
                          "resources": {"limits": {"cpu": "500m"},
                                        "requests": {"memory": "64Mi"}}}]}}},
    "status": {}
  })");
  EXPECT_EQ(got, want) << got.dump(2);
}

TEST(ProtobufDecode, NamespaceKeepsEmptyMessages) {
  ProtoWriter ns;
  ns.message(1, object_meta("team-a")).message(2, ProtoWriter()).message(3, ProtoWriter().bytes(1, ""));
  json got = decode(k8s_envelope("v1", "Namespace", ns));
  EXPECT_EQ(got, json::parse(R"({"apiVersion":"v1","kind":"Namespace",
                                 "metadata":{"name":"team-a"},"spec":{},"status":{}})"))
      << got.dump();
}

TEST(ProtobufDecode, NegativeInt32AndUnknownFieldsSkipped) {
  ProtoWriter container;
  container.bytes(1, "c").bytes(2, "img");
  ProtoWriter ctx;
  ctx.int64(4, -5);  // SecurityContext.runAsUser: int64 pointer
  container.message(15, ctx);
  ProtoWriter spec;
  spec.message(2, container).int64(5, -1);  // activeDeadlineSeconds (int64 pointer)
  spec.varint(999, 7).bytes(998, "ignored").fixed64_double(997, 1.5);  // unknown fields
  ProtoWriter pod;
  pod.message(1, object_meta("p", "default")).message(2, spec);
  json got = decode(k8s_envelope("v1", "Pod", pod));
  EXPECT_EQ(got["spec"]["activeDeadlineSeconds"], -1);
  EXPECT_EQ(got["spec"]["containers"][0]["securityContext"]["runAsUser"], -5);
  EXPECT_EQ(got["spec"].size(), 2u) << got.dump();
}

TEST(ProtobufDecode, EvictionWithDeleteOptions) {
  ProtoWriter opts;
  opts.int64(1, 0)  // gracePeriodSeconds: pointer, 0 kept
      .message(2, ProtoWriter().bytes(1, "uid-1").bytes(2, "42"))
      .bytes(4, "Background")
      .bytes(5, "All");
  ProtoWriter ev;
  ev.message(1, object_meta("web-0", "default")).message(2, opts);
  std::string body = k8s_envelope("policy/v1", "Eviction", ev);
  json want = json::parse(R"({
    "apiVersion": "policy/v1", "kind": "Eviction",
    "metadata": {"name": "web-0", "namespace": "default"},
    "deleteOptions": {"gracePeriodSeconds": 0, "propagationPolicy": "Background",
                      "dryRun": ["All"],
                      "preconditions": {"uid": "uid-1", "resourceVersion": "42"}}})");
  auto as = decode_kubernetes_protobuf_as(body, "io.k8s.api.policy.v1.Eviction");
  ASSERT_TRUE(as.has_value()) << as.error().message();
  EXPECT_EQ(*as, want) << as->dump();
  EXPECT_EQ(decode(body), want);
}

TEST(ProtobufDecode, DeleteOptionsBody) {
  ProtoWriter opts;
  opts.int64(1, 30).boolean(3, true).bytes(4, "Foreground");
  std::string body = k8s_envelope("meta.k8s.io/v1", "DeleteOptions", opts);
  auto r = decode_kubernetes_protobuf_as(body, "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(*r, json::parse(R"({"apiVersion":"meta.k8s.io/v1","kind":"DeleteOptions",
      "gracePeriodSeconds":30,"orphanDependents":true,"propagationPolicy":"Foreground"})"));
  EXPECT_EQ(decode(body), *r);
}

TEST(ProtobufDecode, PackedRepeatedIntegers) {
  // PodSecurityContext.supplementalGroups ([]int64), packed.
  ProtoWriter packed;
  packed.raw("\x01\x02\xe8\x07");  // 1, 2, 1000
  ProtoWriter psc;
  psc.bytes(4, packed.str()).int64(4, 5);  // a packed run, then one unpacked value
  ProtoWriter spec;
  spec.message(2, ProtoWriter().bytes(1, "c")).message(14, psc);
  ProtoWriter pod;
  pod.message(1, object_meta("p")).message(2, spec);
  json got = decode(k8s_envelope("v1", "Pod", pod));
  EXPECT_EQ(got["spec"]["securityContext"]["supplementalGroups"], json({1, 2, 1000, 5}));
}

TEST(ProtobufDecode, Errors) {
  ProtoWriter cm;
  cm.message(1, object_meta("x"));
  std::string good = k8s_envelope("v1", "ConfigMap", cm);

  EXPECT_EQ(decode_error(good.substr(4)).reason(), base::Reason::BadRequest);  // no magic
  EXPECT_EQ(decode_error("").reason(), base::Reason::BadRequest);
  EXPECT_EQ(decode_error("k8s").reason(), base::Reason::BadRequest);
  EXPECT_EQ(decode_error(good.substr(0, good.size() - 9)).reason(), base::Reason::BadRequest);
  EXPECT_EQ(decode_error(std::string("k8s\0", 4)).reason(), base::Reason::BadRequest);
  EXPECT_EQ(decode_error(std::string("k8s\0\xff", 5)).reason(), base::Reason::BadRequest);

  auto unknown = decode_error(k8s_envelope("example.com/v1", "Widget", cm));
  EXPECT_EQ(unknown.reason(), base::Reason::BadRequest);
  EXPECT_NE(unknown.message().find("Widget"), std::string::npos) << unknown.message();

  auto gz = decode_error(k8s_envelope("v1", "ConfigMap", cm, "gzip"));
  EXPECT_EQ(gz.reason(), base::Reason::UnsupportedMediaType);

  // metadata.name as a varint: the wire type does not fit the schema.
  ProtoWriter wrong;
  wrong.message(1, ProtoWriter().varint(1, 5));
  auto mismatch = decode_error(k8s_envelope("v1", "ConfigMap", wrong));
  EXPECT_EQ(mismatch.reason(), base::Reason::BadRequest);
  EXPECT_NE(mismatch.message().find("metadata.name"), std::string::npos) << mismatch.message();

  // A nested length past its parent's end.
  ProtoWriter broken;
  broken.raw(std::string("\x0a\x05\x0a\x09name", 7));
  EXPECT_EQ(decode_error(k8s_envelope("v1", "ConfigMap", broken)).reason(),
            base::Reason::BadRequest);

  auto as = decode_kubernetes_protobuf_as("{}", "io.k8s.api.policy.v1.Eviction");
  ASSERT_FALSE(as.has_value());
  EXPECT_EQ(as.error().reason(), base::Reason::BadRequest);
}

}  // namespace
}  // namespace kite::api
