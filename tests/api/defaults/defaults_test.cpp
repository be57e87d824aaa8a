#include <gtest/gtest.h>

#include "api/defaults/defaults.h"
#include "tests/api/validation/test_schemas.h"

namespace kite::api {
namespace {

TEST(ApplyDefaults, PodSpecAndContainers) {
  json p = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
    "spec":{"containers":[
      {"name":"a","image":"nginx","ports":[{"containerPort":80}],
       "livenessProbe":{"httpGet":{"port":80}}},
      {"name":"b","image":"nginx:1.25","resources":{"limits":{"cpu":"1"}}},
      {"name":"c","image":"registry:5000/app:latest"},
      {"name":"d","image":"app@sha256:abcd"}],
     "restartPolicy":"Never"}})");
  apply_defaults(*testing::pod_info(), p);
  const json& spec = p["spec"];
  EXPECT_EQ(spec["restartPolicy"], "Never");  // never overwritten
  EXPECT_EQ(spec["dnsPolicy"], "ClusterFirst");
  EXPECT_EQ(spec["schedulerName"], "default-scheduler");
  EXPECT_EQ(spec["terminationGracePeriodSeconds"], 30);
  EXPECT_EQ(spec["securityContext"], json::object());
  EXPECT_EQ(spec["enableServiceLinks"], true);
  const json& a = spec["containers"][0];
  EXPECT_EQ(a["imagePullPolicy"], "Always");
  EXPECT_EQ(a["terminationMessagePath"], "/dev/termination-log");
  EXPECT_EQ(a["terminationMessagePolicy"], "File");
  EXPECT_EQ(a["resources"], json::object());
  EXPECT_EQ(a["ports"][0]["protocol"], "TCP");
  EXPECT_EQ(a["livenessProbe"]["timeoutSeconds"], 1);
  EXPECT_EQ(a["livenessProbe"]["periodSeconds"], 10);
  EXPECT_EQ(a["livenessProbe"]["successThreshold"], 1);
  EXPECT_EQ(a["livenessProbe"]["failureThreshold"], 3);
  EXPECT_EQ(a["livenessProbe"]["httpGet"]["scheme"], "HTTP");
  EXPECT_EQ(a["livenessProbe"]["httpGet"]["path"], "/");
  EXPECT_EQ(spec["containers"][1]["imagePullPolicy"], "IfNotPresent");
  EXPECT_EQ(spec["containers"][1]["resources"]["requests"]["cpu"], "1");
  EXPECT_EQ(spec["containers"][2]["imagePullPolicy"], "Always");
  EXPECT_EQ(spec["containers"][3]["imagePullPolicy"], "IfNotPresent");
  json again = p;
  apply_defaults(*testing::pod_info(), again);
  EXPECT_EQ(again, p);  // idempotent
}

TEST(ApplyDefaults, Deployment) {
  json d = json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
    "spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},
      "spec":{"containers":[{"name":"c","image":"x:1"}]}}}})");
  apply_defaults(*testing::deployment_info(), d);
  EXPECT_EQ(d["spec"]["replicas"], 1);
  EXPECT_EQ(d["spec"]["strategy"],
            json::parse(R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}})"));
  EXPECT_EQ(d["spec"]["revisionHistoryLimit"], 10);
  EXPECT_EQ(d["spec"]["progressDeadlineSeconds"], 600);
  const json& ps = d["spec"]["template"]["spec"];
  EXPECT_EQ(ps["restartPolicy"], "Always");
  EXPECT_FALSE(ps.contains("enableServiceLinks"));  // Pod-only default
  EXPECT_EQ(ps["containers"][0]["imagePullPolicy"], "IfNotPresent");

  json r = json::parse(R"({"spec":{"strategy":{"type":"Recreate"}}})");
  apply_defaults(*testing::deployment_info(), r);
  EXPECT_FALSE(r["spec"]["strategy"].contains("rollingUpdate"));
}

TEST(ApplyDefaults, StatefulSetDaemonSetJobCronJob) {
  auto sts = testing::info("apps", "v1", "StatefulSet", "statefulsets", true, nullptr);
  json s = json::parse(R"({"spec":{"volumeClaimTemplates":[{"metadata":{"name":"data"},"spec":{}}]}})");
  apply_defaults(*sts, s);
  EXPECT_EQ(s["spec"]["replicas"], 1);
  EXPECT_EQ(s["spec"]["podManagementPolicy"], "OrderedReady");
  EXPECT_EQ(s["spec"]["updateStrategy"], json::parse(R"({"type":"RollingUpdate","rollingUpdate":{"partition":0}})"));
  EXPECT_EQ(s["spec"]["persistentVolumeClaimRetentionPolicy"],
            json::parse(R"({"whenDeleted":"Retain","whenScaled":"Retain"})"));
  EXPECT_EQ(s["spec"]["volumeClaimTemplates"][0]["spec"]["volumeMode"], "Filesystem");

  auto ds = testing::info("apps", "v1", "DaemonSet", "daemonsets", true, nullptr);
  json d = json::object();
  apply_defaults(*ds, d);
  EXPECT_EQ(d["spec"]["updateStrategy"],
            json::parse(R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":1,"maxSurge":0}})"));
  EXPECT_EQ(d["spec"]["revisionHistoryLimit"], 10);

  auto job = testing::info("batch", "v1", "Job", "jobs", true, nullptr);
  json j = json::parse(R"({"spec":{"template":{"metadata":{"labels":{"x":"y"}},"spec":{"containers":[]}}}})");
  apply_defaults(*job, j);
  EXPECT_EQ(j["spec"]["completions"], 1);
  EXPECT_EQ(j["spec"]["parallelism"], 1);
  EXPECT_EQ(j["spec"]["backoffLimit"], 6);
  EXPECT_EQ(j["spec"]["completionMode"], "NonIndexed");
  EXPECT_EQ(j["spec"]["suspend"], false);
  EXPECT_EQ(j["spec"]["podReplacementPolicy"], "TerminatingOrFailed");
  EXPECT_FALSE(j["spec"].contains("manualSelector"));
  EXPECT_EQ(j["metadata"]["labels"], json({{"x", "y"}}));
  json work_queue = json::parse(R"({"spec":{"parallelism":3}})");
  apply_defaults(*job, work_queue);
  EXPECT_FALSE(work_queue["spec"].contains("completions"));

  auto cj = testing::info("batch", "v1", "CronJob", "cronjobs", true, nullptr);
  json c = json::parse(R"({"spec":{"schedule":"* * * * *","jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"b"}]}}}}}})");
  apply_defaults(*cj, c);
  EXPECT_EQ(c["spec"]["concurrencyPolicy"], "Allow");
  EXPECT_EQ(c["spec"]["suspend"], false);
  EXPECT_EQ(c["spec"]["successfulJobsHistoryLimit"], 3);
  EXPECT_EQ(c["spec"]["failedJobsHistoryLimit"], 1);
  EXPECT_EQ(c["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"], "Always");
  EXPECT_FALSE(c["spec"]["jobTemplate"]["spec"].contains("backoffLimit"));
}

TEST(ApplyDefaults, ServiceSecretPvcNamespace) {
  auto svc = testing::info("", "v1", "Service", "services", true, nullptr);
  json s = json::parse(R"({"spec":{"ports":[{"port":80},{"port":443,"targetPort":"https"}]}})");
  apply_defaults(*svc, s);
  EXPECT_EQ(s["spec"]["type"], "ClusterIP");
  EXPECT_EQ(s["spec"]["sessionAffinity"], "None");
  EXPECT_EQ(s["spec"]["ports"][0]["protocol"], "TCP");
  EXPECT_EQ(s["spec"]["ports"][0]["targetPort"], 80);
  EXPECT_EQ(s["spec"]["ports"][1]["targetPort"], "https");
  EXPECT_EQ(s["spec"]["ipFamilyPolicy"], "SingleStack");
  EXPECT_EQ(s["spec"]["ipFamilies"], json::array({"IPv4"}));
  EXPECT_EQ(s["spec"]["internalTrafficPolicy"], "Cluster");
  EXPECT_FALSE(s["spec"].contains("externalTrafficPolicy"));
  json np = json::parse(R"({"spec":{"type":"NodePort","ports":[{"port":80}]}})");
  apply_defaults(*svc, np);
  EXPECT_EQ(np["spec"]["externalTrafficPolicy"], "Cluster");

  json secret = json::object();
  apply_defaults(*testing::info("", "v1", "Secret", "secrets", true, nullptr), secret);
  EXPECT_EQ(secret["type"], "Opaque");
  json pvc = json::object();
  apply_defaults(*testing::info("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, nullptr), pvc);
  EXPECT_EQ(pvc["spec"]["volumeMode"], "Filesystem");
  json ns = json::object();
  apply_defaults(*testing::info("", "v1", "Namespace", "namespaces", false, nullptr), ns);
  EXPECT_EQ(ns["spec"]["finalizers"], json::array({"kubernetes"}));
  EXPECT_EQ(ns["status"]["phase"], "Active");
}

TEST(ApplyDefaults, SchemaDefaultValues) {
  auto spec = testing::node(Schema::Type::Object);
  auto size = testing::node(Schema::Type::Integer);
  size->default_value = 3;
  spec->properties["size"] = size;
  auto item = testing::node(Schema::Type::Object);
  auto mode = testing::node(Schema::Type::String);
  mode->default_value = "fast";
  item->properties["mode"] = mode;
  spec->properties["items"] = testing::array_of(item);
  auto root = testing::node(Schema::Type::Object);
  root->properties["spec"] = spec;
  auto ci = testing::info("example.com", "v1", "Widget", "widgets", true, root);
  ci->custom = true;
  json w = json::parse(R"({"spec":{"items":[{},{"mode":"slow"}]}})");
  apply_defaults(*ci, w);
  EXPECT_EQ(w["spec"]["size"], 3);
  EXPECT_EQ(w["spec"]["items"][0]["mode"], "fast");
  EXPECT_EQ(w["spec"]["items"][1]["mode"], "slow");
}

TEST(PruneUnknownFields, RespectsPreserveAndEmbedded) {
  auto spec = testing::node(Schema::Type::Object);
  spec->properties["a"] = testing::str_s();
  auto free_form = testing::node(Schema::Type::Object);
  free_form->preserve_unknown_fields = true;
  spec->properties["free"] = free_form;
  auto embedded = testing::node(Schema::Type::Object);
  embedded->embedded_resource = true;
  embedded->properties["spec"] = testing::node(Schema::Type::Any);
  spec->properties["template"] = embedded;
  spec->properties["labels"] = testing::map_of(testing::str_s());
  auto root = testing::node(Schema::Type::Object);
  root->properties["spec"] = spec;
  json o = json::parse(R"({"apiVersion":"example.com/v1","kind":"W","metadata":{"name":"x","labels":{"a":"b"}},
    "spec":{"a":"keep","b":"drop","free":{"anything":{"x":1}},
      "template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"t"},"spec":{"x":1},"junk":1},
      "labels":{"k":"v"}},
    "extra":true})");
  prune_unknown_fields(*root, o);
  EXPECT_FALSE(o.contains("extra"));
  EXPECT_EQ(o["metadata"]["labels"]["a"], "b");
  EXPECT_EQ(o["spec"]["a"], "keep");
  EXPECT_FALSE(o["spec"].contains("b"));
  EXPECT_EQ(o["spec"]["free"]["anything"]["x"], 1);
  EXPECT_EQ(o["spec"]["template"]["kind"], "Pod");
  EXPECT_EQ(o["spec"]["template"]["metadata"]["name"], "t");
  EXPECT_EQ(o["spec"]["template"]["spec"]["x"], 1);
  EXPECT_FALSE(o["spec"]["template"].contains("junk"));
  EXPECT_EQ(o["spec"]["labels"]["k"], "v");
}

}  // namespace
}  // namespace kite::api
