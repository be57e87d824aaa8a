// Real kubectl v1.32 protobuf request bodies (kubectl_captures.h) decode to exactly the JSON
// kubectl itself prints for the same objects (--dry-run=client -o json).
#include <gtest/gtest.h>

#include "api/protobuf/decode.h"
#include "api/resource.h"
#include "tests/api/protobuf/kubectl_captures.h"
#include "tests/api/protobuf/proto_writer.h"

namespace kite::api {
namespace {

using json = nlohmann::json;

TEST(KubectlCapture, EveryCaptureDecodesToKubectlsJson) {
  auto registry = Registry::with_builtins();
  int n = 0;
  for (const auto& c : testing::kKubectlCaptures) {
    SCOPED_TRACE(c.command);
    auto r = decode_kubernetes_protobuf(testing::from_hex(c.hex), *registry);
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(*r, json::parse(c.json)) << r->dump();
    EXPECT_EQ((*r)["kind"], c.kind);
    ++n;
  }
  EXPECT_EQ(n, 8);
}

TEST(KubectlCapture, KeyFacts) {
  auto registry = Registry::with_builtins();
  auto body = [](std::string_view kind) {
    for (const auto& c : testing::kKubectlCaptures)
      if (c.kind == kind) return testing::from_hex(c.hex);
    return std::string();
  };
  auto deploy = decode_kubernetes_protobuf(body("Deployment"), *registry);
  ASSERT_TRUE(deploy.has_value());
  EXPECT_EQ((*deploy)["spec"]["replicas"], 0);  // --replicas=0: a pointer, kept
  EXPECT_FALSE((*deploy)["spec"].contains("minReadySeconds"));
  EXPECT_EQ((*deploy)["status"], json::object());

  auto svc = decode_kubernetes_protobuf(body("Service"), *registry);
  ASSERT_TRUE(svc.has_value());
  EXPECT_EQ((*svc)["spec"]["ports"][0]["targetPort"], 8080);  // IntOrString, int form

  // The same body decodes through the definition-name entry point.
  auto ns = decode_kubernetes_protobuf_as(body("Namespace"), "io.k8s.api.core.v1.Namespace");
  ASSERT_TRUE(ns.has_value());
  EXPECT_EQ((*ns)["metadata"]["name"], "kite-ns");
  EXPECT_EQ((*ns)["apiVersion"], "v1");

  // Truncating a real body anywhere gives a BadRequest or a shorter valid message, never a crash.
  std::string full = body("Deployment");
  for (size_t cut = 0; cut < full.size(); ++cut) {
    auto r = decode_kubernetes_protobuf(std::string_view(full).substr(0, cut), *registry);
    if (r.has_value()) continue;  // a cut at a field boundary of the envelope: still a message
    EXPECT_EQ(r.error().reason(), base::Reason::BadRequest) << cut;
  }
}

}  // namespace
}  // namespace kite::api
