#include <gtest/gtest.h>

#include "api/validation/validate.h"
#include "tests/api/validation/test_schemas.h"

namespace kite::api {
namespace {

// Kind checks only (no schema), so each test states just what it needs.
base::Status invalid(const ResourceInfo& info, const json& obj) {
  auto r = validate_object(info, obj, FieldValidation::Strict);
  EXPECT_FALSE(r.has_value()) << obj.dump();
  return r.has_value() ? base::Status() : r.error();
}
bool has_cause(const base::Status& s, const std::string& field, const std::string& type) {
  for (const auto& c : s.causes())
    if (c.field == field && c.type == type) return true;
  ADD_FAILURE() << "no " << type << " on " << field << " in: " << s.message();
  return false;
}

json meta(const char* name) { return {{"name", name}, {"namespace", "default"}}; }

TEST(PodChecks, ContainersNamesPortsMounts) {
  auto pi = testing::info("", "v1", "Pod", "pods", true, nullptr);
  json p = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", meta("p")}, {"spec", {{"containers", json::array()}}}};
  EXPECT_TRUE(has_cause(invalid(*pi, p), "spec.containers", "FieldValueRequired"));
  p["spec"] = json::parse(R"({"containers":[
      {"name":"a","image":"x","ports":[{"containerPort":70000,"name":"http"},{"containerPort":80,"name":"http"}],
       "volumeMounts":[{"name":"missing","mountPath":"/d"}]},
      {"name":"a","image":"y"}]})");
  auto s = invalid(*pi, p);
  EXPECT_TRUE(has_cause(s, "spec.containers[0].ports[0].containerPort", "FieldValueInvalid"));
  EXPECT_TRUE(has_cause(s, "spec.containers[0].ports[1].name", "FieldValueDuplicate"));
  EXPECT_TRUE(has_cause(s, "spec.containers[0].volumeMounts[0].name", "FieldValueNotFound"));
  EXPECT_TRUE(has_cause(s, "spec.containers[1].name", "FieldValueDuplicate"));
  p["spec"] = json::parse(R"({"containers":[{"name":"a","image":"x",
      "resources":{"requests":{"cpu":"2"},"limits":{"cpu":"500m"}}}]})");
  EXPECT_TRUE(has_cause(invalid(*pi, p), "spec.containers[0].resources.requests[cpu]", "FieldValueInvalid"));
  p["spec"] = json::parse(R"({"containers":[{"name":"a","image":"x",
      "resources":{"requests":{"cpu":"250m","memory":"64Mi"},"limits":{"cpu":"1","memory":"1Gi"}}}]})");
  EXPECT_TRUE(validate_object(*pi, p, FieldValidation::Strict).has_value());
}

TEST(WorkloadChecks, SelectorReplicasTemplate) {
  auto di = testing::info("apps", "v1", "Deployment", "deployments", true, nullptr);
  json d = json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"n"},
    "spec":{"replicas":-1,"template":{"metadata":{"labels":{"app":"a"}},
      "spec":{"containers":[{"name":"c","image":"i"}]}}}})");
  auto s = invalid(*di, d);
  EXPECT_TRUE(has_cause(s, "spec.replicas", "FieldValueInvalid"));
  EXPECT_TRUE(has_cause(s, "spec.selector", "FieldValueRequired"));
  d["spec"]["replicas"] = 1;
  d["spec"]["selector"] = {{"matchLabels", {{"app", "b"}}}};
  s = invalid(*di, d);
  EXPECT_TRUE(has_cause(s, "spec.template.metadata.labels", "FieldValueInvalid"));
  EXPECT_NE(s.message().find("`selector` does not match template `labels`"), std::string::npos);
  d["spec"]["selector"] = json::parse(R"({"matchExpressions":[{"key":"app","operator":"In","values":["a"]}]})");
  EXPECT_TRUE(validate_object(*di, d, FieldValidation::Strict).has_value());
  d["spec"]["template"]["spec"]["restartPolicy"] = "Never";
  EXPECT_TRUE(has_cause(invalid(*di, d), "spec.template.spec.restartPolicy", "FieldValueNotSupported"));

  auto ji = testing::info("batch", "v1", "Job", "jobs", true, nullptr);
  json j = json::parse(R"({"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j","namespace":"n"},
    "spec":{"template":{"spec":{"restartPolicy":"Always","containers":[{"name":"c","image":"i"}]}}}})");
  EXPECT_TRUE(has_cause(invalid(*ji, j), "spec.template.spec.restartPolicy", "FieldValueNotSupported"));
  j["spec"]["template"]["spec"]["restartPolicy"] = "Never";
  EXPECT_TRUE(validate_object(*ji, j, FieldValidation::Strict).has_value());
  // Per-index backoff is not implemented: refused rather than silently ignored.
  json per_index = j;
  per_index["spec"]["backoffLimitPerIndex"] = 1;
  EXPECT_TRUE(has_cause(invalid(*ji, per_index), "spec.backoffLimitPerIndex", "FieldValueForbidden"));
  json fail_index = j;
  fail_index["spec"]["podFailurePolicy"] = json::parse(
      R"({"rules":[{"action":"Ignore","onPodConditions":[{"type":"DisruptionTarget"}]},
                   {"action":"FailIndex","onExitCodes":{"operator":"In","values":[3]}}]})");
  EXPECT_TRUE(has_cause(invalid(*ji, fail_index), "spec.podFailurePolicy.rules[1].action", "FieldValueInvalid"));
  fail_index["spec"]["podFailurePolicy"]["rules"][1]["action"] = "Retry";
  EXPECT_TRUE(has_cause(invalid(*ji, fail_index), "spec.podFailurePolicy.rules[1].action", "FieldValueNotSupported"));
  fail_index["spec"]["podFailurePolicy"]["rules"][1]["action"] = "FailJob";
  EXPECT_TRUE(validate_object(*ji, fail_index, FieldValidation::Strict).has_value());

  auto ci = testing::info("batch", "v1", "CronJob", "cronjobs", true, nullptr);
  json c = json::parse(R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"c","namespace":"n"},
    "spec":{"schedule":"","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"c","image":"i"}]}}}}}})");
  EXPECT_TRUE(has_cause(invalid(*ci, c), "spec.schedule", "FieldValueRequired"));
  c["spec"]["schedule"] = "*/5 * * * *";
  EXPECT_TRUE(validate_object(*ci, c, FieldValidation::Strict).has_value());
  c["spec"]["schedule"] = "every minute";
  EXPECT_TRUE(has_cause(invalid(*ci, c), "spec.schedule", "FieldValueInvalid"));
}

TEST(ServiceChecks, PortsTypesClusterIP) {
  auto si = testing::info("", "v1", "Service", "services", true, nullptr);
  json s = json::parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"s","namespace":"n"},
    "spec":{"type":"Weird","ports":[{"port":0},{"port":80,"protocol":"ICMP"}]}})");
  auto st = invalid(*si, s);
  EXPECT_TRUE(has_cause(st, "spec.type", "FieldValueNotSupported"));
  EXPECT_TRUE(has_cause(st, "spec.ports[0].port", "FieldValueInvalid"));
  EXPECT_TRUE(has_cause(st, "spec.ports[0].name", "FieldValueRequired"));
  EXPECT_TRUE(has_cause(st, "spec.ports[1].protocol", "FieldValueNotSupported"));
  s["spec"] = json::parse(R"({"type":"NodePort","clusterIP":"None","ports":[{"name":"a","port":80},{"name":"a","port":81}]})");
  st = invalid(*si, s);
  EXPECT_TRUE(has_cause(st, "spec.clusterIP", "FieldValueInvalid"));
  EXPECT_TRUE(has_cause(st, "spec.ports[1].name", "FieldValueDuplicate"));
  s["spec"] = json::parse(R"({"clusterIP":"None","selector":{"app":"x"}})");
  EXPECT_TRUE(validate_object(*si, s, FieldValidation::Strict).has_value());
  s["spec"] = json::parse(R"({"ports":[{"port":80,"targetPort":"http"}]})");
  EXPECT_TRUE(validate_object(*si, s, FieldValidation::Strict).has_value());
}

TEST(ConfigChecks, KeysSizeBase64) {
  auto ci = testing::info("", "v1", "ConfigMap", "configmaps", true, nullptr);
  json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", meta("c")},
             {"data", {{"bad key", "v"}, {"ok.key_1-x", "v"}}}};
  EXPECT_TRUE(has_cause(invalid(*ci, cm), "data[bad key]", "FieldValueInvalid"));
  cm["data"] = {{"big", std::string(1024 * 1024 + 1, 'x')}};
  auto s = invalid(*ci, cm);
  EXPECT_TRUE(has_cause(s, "data", "FieldValueTooLong"));
  EXPECT_NE(s.message().find("Too long: must have at most 1048576 bytes"), std::string::npos);

  auto si = testing::info("", "v1", "Secret", "secrets", true, nullptr);
  json sec = {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", meta("s")},
              {"data", {{"password", "cGFzc3dvcmQ="}}}};
  EXPECT_TRUE(validate_object(*si, sec, FieldValidation::Strict).has_value());
  sec["data"]["password"] = "not base64!";
  auto r = validate_object(*si, sec, FieldValidation::Strict);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason(), base::Reason::BadRequest);
  EXPECT_NE(r.error().message().find("illegal base64 data at input byte 3"), std::string::npos) << r.error().message();
  sec["data"] = json::object();
  sec["type"] = "kubernetes.io/tls";
  EXPECT_TRUE(has_cause(invalid(*si, sec), "data[tls.crt]", "FieldValueRequired"));
}

TEST(CrdChecks, NamesAndVersions) {
  auto ci = testing::info("apiextensions.k8s.io", "v1", "CustomResourceDefinition",
                          "customresourcedefinitions", false, nullptr);
  json crd = json::parse(R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
    "metadata":{"name":"widgets.example.com"},
    "spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"widgets","kind":"Widget"},
      "versions":[{"name":"v1","served":true,"storage":true}]}})");
  EXPECT_TRUE(validate_object(*ci, crd, FieldValidation::Strict).has_value());
  crd["metadata"]["name"] = "gadgets.example.com";
  EXPECT_TRUE(has_cause(invalid(*ci, crd), "metadata.name", "FieldValueInvalid"));
  crd["metadata"]["name"] = "widgets.example.com";
  crd["spec"]["versions"].push_back({{"name", "v2"}, {"served", true}, {"storage", true}});
  EXPECT_TRUE(has_cause(invalid(*ci, crd), "spec.versions", "FieldValueInvalid"));
  crd["spec"]["versions"] = json::parse(R"([{"name":"v1","served":false,"storage":true}])");
  EXPECT_TRUE(has_cause(invalid(*ci, crd), "spec.versions", "FieldValueInvalid"));
}

TEST(DuplicateFields, FindsPathsAndRejectsInStrict) {
  auto dups = find_duplicate_fields(
      R"({"spec":{"replicas":1,"replicas":2,"containers":[{"name":"a"},{"name":"b","name":"c"}]},"kind":"x"})");
  ASSERT_TRUE(dups.has_value());
  EXPECT_EQ(*dups, (std::vector<std::string>{"duplicate field \"spec.replicas\"",
                                             "duplicate field \"spec.containers[1].name\""}));
  auto strict = check_duplicate_fields(R"({"a":1,"a":2})");
  ASSERT_FALSE(strict.has_value());
  EXPECT_EQ(strict.error().reason(), base::Reason::BadRequest);
  EXPECT_EQ(strict.error().message(), "strict decoding error: duplicate field \"a\"");
  EXPECT_TRUE(check_duplicate_fields(R"({"a":[1,2,{"b":1}],"b":{"a":1}})").has_value());
  EXPECT_FALSE(check_duplicate_fields("{not json").has_value());
}

TEST(ValidateUpdate, ImmutableFields) {
  auto pi = testing::info("", "v1", "Pod", "pods", true, nullptr);
  json old_pod = json::parse(R"({"metadata":{"name":"p","namespace":"n","uid":"u1"},
    "spec":{"containers":[{"name":"c","image":"a:1"}],"tolerations":[{"key":"k"}]}})");
  json new_pod = old_pod;
  new_pod["spec"]["containers"][0]["image"] = "a:2";
  new_pod["spec"]["tolerations"].push_back({{"key", "k2"}});
  new_pod["spec"]["activeDeadlineSeconds"] = 10;
  EXPECT_TRUE(validate_update(*pi, old_pod, new_pod).has_value());
  new_pod["spec"]["containers"][0]["command"] = {"sh"};
  auto r = validate_update(*pi, old_pod, new_pod);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().causes()[0].type, "FieldValueForbidden");
  new_pod = old_pod;
  new_pod["metadata"]["uid"] = "u2";
  EXPECT_FALSE(validate_update(*pi, old_pod, new_pod).has_value());
  new_pod["metadata"].erase("uid");  // omitted: the server copies it back
  EXPECT_TRUE(validate_update(*pi, old_pod, new_pod).has_value());

  auto di = testing::info("apps", "v1", "Deployment", "deployments", true, nullptr);
  json od = json::parse(R"({"metadata":{"name":"d","namespace":"n"},"spec":{"replicas":1,"selector":{"matchLabels":{"a":"b"}}}})");
  json nd = od;
  nd["spec"]["replicas"] = 5;
  EXPECT_TRUE(validate_update(*di, od, nd).has_value());
  nd["spec"]["selector"]["matchLabels"]["a"] = "c";
  r = validate_update(*di, od, nd);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().causes()[0].field, "spec.selector");
  EXPECT_NE(r.error().causes()[0].message.find("field is immutable"), std::string::npos);

  auto si = testing::info("", "v1", "Service", "services", true, nullptr);
  json os = json::parse(R"({"metadata":{"name":"s","namespace":"n"},"spec":{"clusterIP":""}})");
  json ns = os;
  ns["spec"]["clusterIP"] = "10.43.0.5";
  EXPECT_TRUE(validate_update(*si, os, ns).has_value());
  json ns2 = ns;
  ns2["spec"]["clusterIP"] = "10.43.0.6";
  EXPECT_FALSE(validate_update(*si, ns, ns2).has_value());

  auto pvci = testing::info("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, nullptr);
  json opvc = json::parse(R"({"metadata":{"name":"c","namespace":"n"},"spec":{"accessModes":["ReadWriteOnce"],
    "resources":{"requests":{"storage":"1Gi"}}}})");
  json npvc = opvc;
  npvc["spec"]["resources"]["requests"]["storage"] = "2Gi";
  npvc["spec"]["volumeName"] = "pv-1";
  EXPECT_TRUE(validate_update(*pvci, opvc, npvc).has_value());
  npvc["spec"]["resources"]["requests"]["storage"] = "500Mi";
  EXPECT_FALSE(validate_update(*pvci, opvc, npvc).has_value());
  npvc = opvc;
  npvc["spec"]["accessModes"] = {"ReadWriteMany"};
  EXPECT_FALSE(validate_update(*pvci, opvc, npvc).has_value());

  auto cmi = testing::info("", "v1", "ConfigMap", "configmaps", true, nullptr);
  json ocm = json::parse(R"({"metadata":{"name":"c","namespace":"n"},"immutable":true,"data":{"a":"1"}})");
  json ncm = ocm;
  ncm["data"]["a"] = "2";
  EXPECT_FALSE(validate_update(*cmi, ocm, ncm).has_value());
  ocm.erase("immutable");
  EXPECT_TRUE(validate_update(*cmi, ocm, ncm).has_value());

  auto ji = testing::info("batch", "v1", "Job", "jobs", true, nullptr);
  json oj = json::parse(R"({"metadata":{"name":"j","namespace":"n"},"spec":{"template":{"spec":{"containers":[{"name":"c","image":"a"}]}}}})");
  json nj = oj;
  nj["spec"]["template"]["spec"]["containers"][0]["image"] = "b";
  EXPECT_FALSE(validate_update(*ji, oj, nj).has_value());
}

}  // namespace
}  // namespace kite::api
