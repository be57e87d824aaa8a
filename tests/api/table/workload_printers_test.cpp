// Cells of the apps and batch printers: deployments, replicasets, statefulsets, daemonsets,
// controllerrevisions, jobs, cronjobs; plus a few small groups.
#include <gtest/gtest.h>

#include "tests/api/table/table_test_util.h"

namespace kite::api::table_test {
namespace {

json pod_template() {
  return {{"spec", {{"containers", json::array({{{"name", "app"}, {"image", "registry.local/app:1"}},
                                                {{"name", "log"}, {"image", "busybox"}}})}}}};
}

TEST(DeploymentPrinter, ReadyAndWideCells) {
  ResourceInfo ri = info("apps", "Deployment", "deployments");
  json d = {{"metadata", {{"name", "web"}, {"creationTimestamp", ago(90s)}}},
            {"spec", {{"replicas", 3},
                      {"selector", {{"matchLabels", {{"app", "web"}}},
                                    {"matchExpressions",
                                     json::array({{{"key", "env"}, {"operator", "In"},
                                                   {"values", {"prod", "dev"}}},
                                                  {{"key", "canary"}, {"operator", "DoesNotExist"}}})}}},
                      {"template", pod_template()}}},
            {"status", {{"replicas", 3}, {"readyReplicas", 2}, {"updatedReplicas", 3},
                        {"availableReplicas", 2}}}};
  json c = table_row_cells(ri, d, now());
  ASSERT_EQ(c.size(), 8u);
  EXPECT_EQ(c[1], "2/3");
  EXPECT_EQ(c[2], 3);
  EXPECT_EQ(c[3], 2);
  EXPECT_EQ(c[4], "90s");
  EXPECT_EQ(c[5], "app,log");
  EXPECT_EQ(c[6], "registry.local/app:1,busybox");
  EXPECT_EQ(c[7], "app=web,!canary,env in (dev,prod)");

  json fresh = {{"metadata", {{"name", "new"}}}, {"spec", {{"replicas", 0}}}};
  c = table_row_cells(ri, fresh, now());
  EXPECT_EQ(c[1], "0/0");
  EXPECT_EQ(c[2], 0);
  EXPECT_EQ(c[4], "<unknown>");
  EXPECT_EQ(c[7], "");  // deployments print an empty selector as ""
}

TEST(ReplicaSetAndStatefulSetPrinters, Counts) {
  json rs = {{"metadata", {{"name", "web-abc"}}},
             {"spec", {{"replicas", 2}, {"selector", {{"matchLabels", {{"app", "web"}}}}},
                       {"template", pod_template()}}},
             {"status", {{"replicas", 2}, {"readyReplicas", 1}}}};
  json c = table_row_cells(info("apps", "ReplicaSet", "replicasets"), rs, now());
  EXPECT_EQ(c[1], 2);
  EXPECT_EQ(c[2], 2);
  EXPECT_EQ(c[3], 1);
  EXPECT_EQ(c[7], "app=web");

  json ss = {{"metadata", {{"name", "db"}}},
             {"spec", {{"replicas", 3}, {"template", pod_template()}}},
             {"status", {{"readyReplicas", 3}}}};
  c = table_row_cells(info("apps", "StatefulSet", "statefulsets"), ss, now());
  ASSERT_EQ(c.size(), 5u);
  EXPECT_EQ(c[1], "3/3");
  EXPECT_EQ(c[3], "app,log");
}

TEST(DaemonSetPrinter, NodeSelectorAndCounts) {
  json ds = {{"metadata", {{"name", "agent"}}},
             {"spec", {{"selector", {{"matchLabels", {{"app", "agent"}}}}},
                       {"template", {{"spec", {{"nodeSelector", {{"kubernetes.io/os", "linux"}}},
                                               {"containers", json::array({{{"name", "a"},
                                                                            {"image", "i"}}})}}}}}}},
             {"status", {{"desiredNumberScheduled", 4}, {"currentNumberScheduled", 4},
                         {"numberReady", 3}, {"updatedNumberScheduled", 4},
                         {"numberAvailable", 3}}}};
  json c = table_row_cells(info("apps", "DaemonSet", "daemonsets"), ds, now());
  ASSERT_EQ(c.size(), 11u);
  EXPECT_EQ(c[1], 4);
  EXPECT_EQ(c[3], 3);
  EXPECT_EQ(c[6], "kubernetes.io/os=linux");
  EXPECT_EQ(c[10], "app=agent");
}

TEST(ControllerRevisionPrinter, ControllerName) {
  json cr = {{"metadata", {{"name", "agent-5d8f"},
                           {"ownerReferences", json::array({{{"apiVersion", "apps/v1"},
                                                             {"kind", "DaemonSet"},
                                                             {"name", "agent"},
                                                             {"controller", true}}})}}},
             {"revision", 2}};
  json c = table_row_cells(info("apps", "ControllerRevision", "controllerrevisions"), cr, now());
  EXPECT_EQ(c[1], "daemonset.apps/agent");
  EXPECT_EQ(c[2], 2);
  cr["metadata"].erase("ownerReferences");
  EXPECT_EQ(table_row_cells(info("apps", "ControllerRevision", "controllerrevisions"), cr, now())[1],
            "<none>");
}

TEST(JobPrinter, StatusCompletionsDuration) {
  ResourceInfo ri = info("batch", "Job", "jobs");
  json job = {{"metadata", {{"name", "pi"}, {"creationTimestamp", ago(400s)}}},
              {"spec", {{"completions", 3}, {"parallelism", 1},
                        {"selector", {{"matchLabels", {{"batch.kubernetes.io/job-name", "pi"}}}}},
                        {"template", pod_template()}}},
              {"status", {{"succeeded", 1}, {"startTime", ago(200s)}}}};
  json c = table_row_cells(ri, job, now());
  ASSERT_EQ(c.size(), 8u);
  EXPECT_EQ(c[1], "Running");
  EXPECT_EQ(c[2], "1/3");
  EXPECT_EQ(c[3], "3m20s");
  EXPECT_EQ(c[4], "6m40s");
  EXPECT_EQ(c[7], "batch.kubernetes.io/job-name=pi");

  job["status"]["completionTime"] = ago(185s);
  job["status"]["succeeded"] = 3;
  job["status"]["conditions"] = json::array({{{"type", "Complete"}, {"status", "True"}}});
  c = table_row_cells(ri, job, now());
  EXPECT_EQ(c[1], "Complete");
  EXPECT_EQ(c[2], "3/3");
  EXPECT_EQ(c[3], "15s");

  json parallel = {{"metadata", {{"name", "p"}}}, {"spec", {{"parallelism", 4}}},
                   {"status", {{"conditions", json::array({{{"type", "Failed"}, {"status", "True"}}})}}}};
  c = table_row_cells(ri, parallel, now());
  EXPECT_EQ(c[1], "Failed");
  EXPECT_EQ(c[2], "0/1 of 4");
  EXPECT_EQ(c[3], "");  // not started
  parallel["spec"]["parallelism"] = 1;
  parallel["status"]["conditions"] = json::array({{{"type", "Suspended"}, {"status", "True"}}});
  c = table_row_cells(ri, parallel, now());
  EXPECT_EQ(c[1], "Suspended");
  EXPECT_EQ(c[2], "0/1");
  parallel["metadata"]["deletionTimestamp"] = ago(1s);
  EXPECT_EQ(table_row_cells(ri, parallel, now())[1], "Terminating");
}

TEST(CronJobPrinter, ScheduleAndLastSchedule) {
  ResourceInfo ri = info("batch", "CronJob", "cronjobs");
  json cj = {{"metadata", {{"name", "backup"}, {"creationTimestamp", ago(3 * 86400s)}}},
             {"spec", {{"schedule", "*/5 * * * *"}, {"suspend", false},
                       {"jobTemplate", {{"spec", {{"template", pod_template()}}}}}}},
             {"status", {{"active", json::array({{{"name", "backup-1"}}})},
                         {"lastScheduleTime", ago(125s)}}}};
  json c = table_row_cells(ri, cj, now());
  ASSERT_EQ(c.size(), 10u);
  EXPECT_EQ(c[1], "*/5 * * * *");
  EXPECT_EQ(c[2], "<none>");
  EXPECT_EQ(c[3], "False");
  EXPECT_EQ(c[4], 1);
  EXPECT_EQ(c[5], "2m5s");
  EXPECT_EQ(c[6], "3d");
  EXPECT_EQ(c[9], "<none>");
  cj["spec"]["timeZone"] = "Europe/Berlin";
  cj["status"] = json::object();
  c = table_row_cells(ri, cj, now());
  EXPECT_EQ(c[2], "Europe/Berlin");
  EXPECT_EQ(c[5], "<none>");
}

TEST(SmallGroupPrinters, LeaseStorageClassPdbIngress) {
  json lease = {{"metadata", {{"name", "kite-scheduler"}}}, {"spec", {{"holderIdentity", "node-a_1"}}}};
  EXPECT_EQ(table_row_cells(info("coordination.k8s.io", "Lease", "leases"), lease, now())[1],
            "node-a_1");

  json sc = {{"metadata", {{"name", "local-path"},
                           {"annotations", {{"storageclass.kubernetes.io/is-default-class", "true"}}}}},
             {"provisioner", "kite.io/local-path"},
             {"volumeBindingMode", "WaitForFirstConsumer"}};
  json c = table_row_cells(info("storage.k8s.io", "StorageClass", "storageclasses"), sc, now());
  EXPECT_EQ(c[0], "local-path (default)");
  EXPECT_EQ(c[2], "Delete");
  EXPECT_EQ(c[3], "WaitForFirstConsumer");
  EXPECT_EQ(c[4], false);

  json pdb = {{"metadata", {{"name", "web"}}}, {"spec", {{"minAvailable", "50%"}}},
              {"status", {{"disruptionsAllowed", 1}}}};
  c = table_row_cells(info("policy", "PodDisruptionBudget", "poddisruptionbudgets"), pdb, now());
  EXPECT_EQ(c[1], "50%");
  EXPECT_EQ(c[2], "N/A");
  EXPECT_EQ(c[3], 1);

  json ing = {{"metadata", {{"name", "web"}}},
              {"spec", {{"ingressClassName", "traefik"},
                        {"rules", json::array({{{"host", "a.example"}}, {{"host", "b.example"}},
                                               json::object(), {{"host", "d.example"}},
                                               {{"host", "e.example"}}})},
                        {"tls", json::array({json::object()})}}}};
  c = table_row_cells(info("networking.k8s.io", "Ingress", "ingresses"), ing, now());
  EXPECT_EQ(c[1], "traefik");
  EXPECT_EQ(c[2], "a.example,b.example,d.example + 2 more...");
  EXPECT_EQ(c[3], "");
  EXPECT_EQ(c[4], "80, 443");

  json slice = {{"metadata", {{"name", "web-x"}}}, {"addressType", "IPv4"},
                {"ports", json::array({{{"port", 80}}, {{"name", "metrics"}}})},
                {"endpoints", json::array({{{"addresses", {"10.42.0.5"}}}})}};
  c = table_row_cells(info("discovery.k8s.io", "EndpointSlice", "endpointslices"), slice, now());
  EXPECT_EQ(c[2], "80,metrics");
  EXPECT_EQ(c[3], "10.42.0.5");
  slice["ports"] = json::array();
  EXPECT_EQ(table_row_cells(info("discovery.k8s.io", "EndpointSlice", "endpointslices"), slice,
                            now())[2],
            "<unset>");
}

}  // namespace
}  // namespace kite::api::table_test
