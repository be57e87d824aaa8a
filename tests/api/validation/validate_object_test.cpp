#include <gtest/gtest.h>

#include "api/validation/validate.h"
#include "tests/api/validation/test_schemas.h"

namespace kite::api {
namespace {

using testing::deployment_info;
using testing::pod_info;

json good_pod() {
  return json::parse(R"({"apiVersion":"v1","kind":"Pod",
    "metadata":{"name":"web","namespace":"default","labels":{"app":"web"}},
    "spec":{"containers":[{"name":"c","image":"nginx","ports":[{"containerPort":80}]}]}})");
}

json good_deployment() {
  return json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
    "metadata":{"name":"web","namespace":"default"},
    "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
      "template":{"metadata":{"labels":{"app":"web"}},
        "spec":{"containers":[{"name":"c","image":"nginx"}]}}}})");
}

TEST(ValidateObject, AcceptsValidPod) {
  auto r = validate_object(*pod_info(), good_pod(), FieldValidation::Strict);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_TRUE(r->empty());
}

TEST(ValidateObject, MissingImageInDeploymentIsInvalidLikeKubernetes) {
  json d = good_deployment();
  d["spec"]["template"]["spec"]["containers"][0].erase("image");
  auto r = validate_object(*deployment_info(), d, FieldValidation::Strict);
  ASSERT_FALSE(r.has_value());
  const auto& s = r.error();
  EXPECT_EQ(s.reason(), base::Reason::Invalid);
  EXPECT_EQ(s.code(), 422);
  EXPECT_EQ(s.message(),
            "Deployment.apps \"web\" is invalid: spec.template.spec.containers[0].image: Required value");
  ASSERT_EQ(s.causes().size(), 1u);
  EXPECT_EQ(s.causes()[0].type, "FieldValueRequired");
  EXPECT_EQ(s.causes()[0].field, "spec.template.spec.containers[0].image");
  json j = s.to_json();
  EXPECT_EQ(j["details"]["group"], "apps");
  EXPECT_EQ(j["details"]["kind"], "Deployment");
  EXPECT_EQ(j["details"]["name"], "web");
}

TEST(ValidateObject, SeveralErrorsAreBracketed) {
  json p = good_pod();
  p["spec"]["containers"][0]["name"] = "Bad_Name";
  p["spec"]["containers"][0].erase("image");
  auto r = validate_object(*pod_info(), p, FieldValidation::Strict);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().causes().size(), 2u);
  EXPECT_NE(r.error().message().find("Pod \"web\" is invalid: [spec.containers[0].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label"),
            std::string::npos)
      << r.error().message();
}

TEST(ValidateObject, ApiVersionAndKindMustMatch) {
  json p = good_pod();
  p["apiVersion"] = "v2";
  auto r = validate_object(*pod_info(), p, FieldValidation::Strict);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason(), base::Reason::BadRequest);
  p = good_pod();
  p["kind"] = "Service";
  r = validate_object(*pod_info(), p, FieldValidation::Strict);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason(), base::Reason::BadRequest);
  p = good_pod();
  p.erase("kind");
  EXPECT_FALSE(validate_object(*pod_info(), p, FieldValidation::Strict).has_value());
}

TEST(ValidateObject, UnknownFieldsPerMode) {
  json d = good_deployment();
  d["spec"]["foo"] = 1;
  d["spec"]["template"]["spec"]["containers"][0]["bar"] = "x";
  auto strict = validate_object(*deployment_info(), d, FieldValidation::Strict);
  ASSERT_FALSE(strict.has_value());
  EXPECT_EQ(strict.error().reason(), base::Reason::BadRequest);
  EXPECT_EQ(strict.error().message(),
            "strict decoding error: unknown field \"spec.foo\", unknown field "
            "\"spec.template.spec.containers[0].bar\"");
  auto warn = validate_object(*deployment_info(), d, FieldValidation::Warn);
  ASSERT_TRUE(warn.has_value());
  EXPECT_EQ(*warn, (std::vector<std::string>{"unknown field \"spec.foo\"",
                                             "unknown field \"spec.template.spec.containers[0].bar\""}));
  auto ignore = validate_object(*deployment_info(), d, FieldValidation::Ignore);
  ASSERT_TRUE(ignore.has_value());
  EXPECT_TRUE(ignore->empty());
}

TEST(ValidateObject, WrongTypeOnBuiltinIsBadRequest) {
  json d = good_deployment();
  d["spec"]["replicas"] = "two";
  auto r = validate_object(*deployment_info(), d, FieldValidation::Strict);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason(), base::Reason::BadRequest);
  EXPECT_EQ(r.error().message(),
            "Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal "
            "string into Go struct field DeploymentSpec.spec.replicas of type int32");
}

TEST(ValidateObject, WrongTypeOnCustomResourceIsInvalid) {
  auto spec = testing::node(Schema::Type::Object);
  auto replicas = testing::node(Schema::Type::Integer);
  replicas->minimum = 0;
  spec->properties["replicas"] = replicas;
  auto color = testing::node(Schema::Type::String);
  color->enum_values = {"red", "blue"};
  spec->properties["color"] = color;
  auto root = testing::node(Schema::Type::Object);
  root->properties["spec"] = spec;
  auto ci = testing::info("example.com", "v1", "Widget", "widgets", true, root);
  ci->custom = true;
  json w = json::parse(R"({"apiVersion":"example.com/v1","kind":"Widget",
    "metadata":{"name":"w","namespace":"default"},"spec":{"replicas":"x","color":"green"}})");
  auto r = validate_object(*ci, w, FieldValidation::Strict);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason(), base::Reason::Invalid);
  ASSERT_EQ(r.error().causes().size(), 2u);
  EXPECT_EQ(r.error().causes()[0].type, "FieldValueNotSupported");
  EXPECT_EQ(r.error().causes()[0].field, "spec.color");
  EXPECT_EQ(r.error().causes()[1].type, "FieldValueTypeInvalid");
  EXPECT_EQ(r.error().causes()[1].message,
            "Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"");
  w["spec"] = {{"replicas", -1}};
  r = validate_object(*ci, w, FieldValidation::Strict);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().causes()[0].field, "spec.replicas");
}

TEST(ValidateObject, MetadataRules) {
  json p = good_pod();
  p["metadata"].erase("name");
  auto r = validate_object(*pod_info(), p, FieldValidation::Strict);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().causes()[0].message, "Required value: name or generateName is required");

  p["metadata"]["generateName"] = "web-";
  EXPECT_TRUE(validate_object(*pod_info(), p, FieldValidation::Strict).has_value());

  p = good_pod();
  p["metadata"]["name"] = "Web";
  EXPECT_FALSE(validate_object(*pod_info(), p, FieldValidation::Strict).has_value());
  p["metadata"]["name"] = "web.example";
  EXPECT_TRUE(validate_object(*pod_info(), p, FieldValidation::Strict).has_value());

  auto ns_info = testing::info("", "v1", "Namespace", "namespaces", false, nullptr);
  ns_info->name_rule = "label";
  json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "a.b"}}}};
  EXPECT_FALSE(validate_object(*ns_info, ns, FieldValidation::Strict).has_value());
  ns["metadata"]["name"] = "team-a";
  EXPECT_TRUE(validate_object(*ns_info, ns, FieldValidation::Strict).has_value());

  p = good_pod();
  p["metadata"]["namespace"] = "Bad_NS";
  EXPECT_FALSE(validate_object(*pod_info(), p, FieldValidation::Strict).has_value());

  p = good_pod();
  p["metadata"]["resourceVersion"] = "12345";  // ignored on create
  EXPECT_TRUE(validate_object(*pod_info(), p, FieldValidation::Strict).has_value());
}

TEST(ValidateObject, Labels) {
  json p = good_pod();
  p["metadata"]["labels"] = {{"example.com/tier", "front_end.1"}, {"ok", ""}};
  EXPECT_TRUE(validate_object(*pod_info(), p, FieldValidation::Strict).has_value());
  p["metadata"]["labels"] = {{"bad key", "v"}};
  auto r = validate_object(*pod_info(), p, FieldValidation::Strict);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().causes()[0].field, "metadata.labels");
  p["metadata"]["labels"] = {{"k", std::string(64, 'a')}};
  r = validate_object(*pod_info(), p, FieldValidation::Strict);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().causes()[0].message.find("must be no more than 63 characters"), std::string::npos);
  p["metadata"]["labels"] = {{"k", "-x"}};
  EXPECT_FALSE(validate_object(*pod_info(), p, FieldValidation::Strict).has_value());
  p["metadata"]["labels"] = {{"UPPER.example.com/x", "v"}};
  EXPECT_FALSE(validate_object(*pod_info(), p, FieldValidation::Strict).has_value());
}

TEST(ValidateObject, AnnotationsTotalSize) {
  json p = good_pod();
  p["metadata"]["annotations"] = {{"a", std::string(256 * 1024, 'x')}};
  auto r = validate_object(*pod_info(), p, FieldValidation::Strict);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().causes()[0].type, "FieldValueTooLong");
  EXPECT_EQ(r.error().causes()[0].message, "Too long: must have at most 262144 bytes");
  p["metadata"]["annotations"] = {{"a", std::string(1000, 'x')}};
  EXPECT_TRUE(validate_object(*pod_info(), p, FieldValidation::Strict).has_value());
}

TEST(ValidateObject, RequiredFromSchema) {
  json p = good_pod();
  p["spec"]["containers"][0].erase("name");
  auto r = validate_object(*pod_info(), p, FieldValidation::Strict);
  ASSERT_FALSE(r.has_value());
  bool found = false;
  for (const auto& c : r.error().causes())
    found |= c.field == "spec.containers[0].name" && c.type == "FieldValueRequired";
  EXPECT_TRUE(found);
}

TEST(ValidateObject, EnumFromSchema) {
  json p = good_pod();
  p["spec"]["containers"][0]["imagePullPolicy"] = "Sometimes";
  auto r = validate_object(*pod_info(), p, FieldValidation::Strict);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().causes()[0].type, "FieldValueNotSupported");
  EXPECT_EQ(r.error().causes()[0].message,
            "Unsupported value: \"Sometimes\": supported values: \"Always\", \"IfNotPresent\", \"Never\"");
}

TEST(ParseFieldValidation, Values) {
  EXPECT_EQ(*parse_field_validation("Strict"), FieldValidation::Strict);
  EXPECT_EQ(*parse_field_validation(""), FieldValidation::Warn);
  EXPECT_EQ(*parse_field_validation("Ignore"), FieldValidation::Ignore);
  EXPECT_FALSE(parse_field_validation("strict").has_value());
}

}  // namespace
}  // namespace kite::api
