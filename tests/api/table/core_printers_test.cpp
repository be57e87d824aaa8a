// Cells of the core-group printers: nodes, services, endpoints, configmaps, secrets,
// volumes and claims, events.
#include <gtest/gtest.h>

#include "tests/api/table/table_test_util.h"

namespace kite::api::table_test {
namespace {

json meta(const std::string& name, std::chrono::seconds age = 3600s) {
  return {{"name", name}, {"creationTimestamp", ago(age)}};
}

TEST(NodePrinter, StatusRolesAndWideCells) {
  ResourceInfo ri = info("", "Node", "nodes");
  json node = {{"metadata", meta("node-a", 2 * 86400s + 3 * 3600s)},
               {"spec", {{"unschedulable", true}}},
               {"status",
                {{"conditions", json::array({{{"type", "MemoryPressure"}, {"status", "False"}},
                                             {{"type", "Ready"}, {"status", "True"}}})},
                 {"addresses", json::array({{{"type", "Hostname"}, {"address", "node-a"}},
                                            {{"type", "InternalIP"}, {"address", "10.0.0.5"}}})},
                 {"nodeInfo", {{"kubeletVersion", "v1.32.0+kite"},
                               {"osImage", "Debian GNU/Linux 12 (bookworm)"},
                               {"kernelVersion", "6.1.0-18-amd64"},
                               {"containerRuntimeVersion", "containerd://1.6.20"}}}}}};
  node["metadata"]["labels"] = {{"node-role.kubernetes.io/control-plane", ""},
                                {"node-role.kubernetes.io/master", "true"},
                                {"node-role.kubernetes.io/", "ignored"},
                                {"kubernetes.io/role", "etcd"},
                                {"kubernetes.io/hostname", "node-a"}};
  json c = table_row_cells(ri, node, now());
  ASSERT_EQ(c.size(), 10u);
  EXPECT_EQ(c[1], "Ready,SchedulingDisabled");
  EXPECT_EQ(c[2], "control-plane,etcd,master");
  EXPECT_EQ(c[3], "2d3h");
  EXPECT_EQ(c[4], "v1.32.0+kite");
  EXPECT_EQ(c[5], "10.0.0.5");
  EXPECT_EQ(c[6], "<none>");
  EXPECT_EQ(c[7], "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(c[9], "containerd://1.6.20");

  node["spec"]["unschedulable"] = false;
  node["status"]["conditions"][1]["status"] = "Unknown";
  node["metadata"]["labels"] = json::object();
  node["status"]["nodeInfo"] = json::object();
  c = table_row_cells(ri, node, now());
  EXPECT_EQ(c[1], "NotReady");
  EXPECT_EQ(c[2], "<none>");
  EXPECT_EQ(c[7], "<unknown>");

  node["status"]["conditions"] = json::array();
  EXPECT_EQ(table_row_cells(ri, node, now())[1], "Unknown");
}

TEST(ServicePrinter, TypesPortsAndExternalIPs) {
  ResourceInfo ri = info("", "Service", "services");
  json svc = {{"metadata", meta("web")},
              {"spec", {{"type", "ClusterIP"},
                        {"clusterIP", "10.43.0.10"},
                        {"clusterIPs", {"10.43.0.10"}},
                        {"selector", {{"tier", "fe"}, {"app", "web"}}},
                        {"ports", json::array({{{"port", 53}, {"protocol", "UDP"}},
                                               {{"port", 53}, {"protocol", "TCP"}},
                                               {{"port", 9153}}})}}}};
  json c = table_row_cells(ri, svc, now());
  ASSERT_EQ(c.size(), 7u);
  EXPECT_EQ(c[1], "ClusterIP");
  EXPECT_EQ(c[2], "10.43.0.10");
  EXPECT_EQ(c[3], "<none>");
  EXPECT_EQ(c[4], "53/UDP,53/TCP,9153/TCP");
  EXPECT_EQ(c[5], "60m");  // minutes up to 3h
  EXPECT_EQ(c[6], "app=web,tier=fe");

  svc["spec"]["type"] = "NodePort";
  svc["spec"]["ports"] = json::array({{{"port", 80}, {"nodePort", 30080}, {"protocol", "TCP"}}});
  svc["spec"]["externalIPs"] = {"192.0.2.1", "192.0.2.2"};
  c = table_row_cells(ri, svc, now());
  EXPECT_EQ(c[3], "192.0.2.1,192.0.2.2");
  EXPECT_EQ(c[4], "80:30080/TCP");

  svc["spec"]["type"] = "LoadBalancer";
  svc["spec"].erase("externalIPs");
  EXPECT_EQ(table_row_cells(ri, svc, now())[3], "<pending>");
  svc["status"]["loadBalancer"]["ingress"] =
      json::array({{{"ip", "203.0.113.9"}}, {{"hostname", "lb.example.com"}}, {{"ip", "203.0.113.10"}}});
  // Not clipped: the server always renders the wide form.
  EXPECT_EQ(table_row_cells(ri, svc, now())[3], "203.0.113.10,203.0.113.9,lb.example.com");
  svc["spec"]["externalIPs"] = {"192.0.2.1"};
  EXPECT_EQ(table_row_cells(ri, svc, now())[3], "203.0.113.10,203.0.113.9,lb.example.com,192.0.2.1");

  json headless = {{"metadata", meta("db")},
                   {"spec", {{"type", "ClusterIP"}, {"clusterIPs", {"None"}}}}};
  c = table_row_cells(ri, headless, now());
  EXPECT_EQ(c[2], "None");
  EXPECT_EQ(c[4], "<none>");
  EXPECT_EQ(c[6], "<none>");

  json ext = {{"metadata", meta("ext")},
              {"spec", {{"type", "ExternalName"}, {"externalName", "example.com"}}}};
  c = table_row_cells(ri, ext, now());
  EXPECT_EQ(c[2], "<none>");
  EXPECT_EQ(c[3], "example.com");
}

TEST(EndpointsPrinter, ListsAtMostThree) {
  ResourceInfo ri = info("", "Endpoints", "endpoints");
  json ep = {{"metadata", meta("web")},
             {"subsets", json::array({{{"addresses", json::array({{{"ip", "10.42.0.1"}},
                                                                  {{"ip", "10.42.0.2"}},
                                                                  {{"ip", "fd00::3"}}})},
                                       {"ports", json::array({{{"port", 80}}, {{"port", 443}}})}}})}};
  EXPECT_EQ(table_row_cells(ri, ep, now())[1],
            "10.42.0.1:80,10.42.0.2:80,[fd00::3]:80 + 3 more...");
  ep["subsets"] = json::array();
  EXPECT_EQ(table_row_cells(ri, ep, now())[1], "<none>");
}

TEST(ConfigAndSecretPrinters, CountKeys) {
  json cm = {{"metadata", meta("cfg")},
             {"data", {{"a", "1"}, {"b", "2"}}},
             {"binaryData", {{"c", "AA=="}}}};
  json c = table_row_cells(info("", "ConfigMap", "configmaps"), cm, now());
  EXPECT_EQ(c[1], 3);
  json secret = {{"metadata", meta("tls")}, {"type", "kubernetes.io/tls"},
                 {"data", {{"tls.crt", "x"}, {"tls.key", "y"}}}};
  c = table_row_cells(info("", "Secret", "secrets"), secret, now());
  EXPECT_EQ(c[1], "kubernetes.io/tls");
  EXPECT_EQ(c[2], 2);
  json sa = {{"metadata", meta("default")}};
  EXPECT_EQ(table_row_cells(info("", "ServiceAccount", "serviceaccounts"), sa, now())[1], 0);
  json ns = {{"metadata", meta("kube-system")}, {"status", {{"phase", "Active"}}}};
  EXPECT_EQ(table_row_cells(info("", "Namespace", "namespaces"), ns, now())[1], "Active");
}

TEST(VolumePrinters, PersistentVolumeAndClaim) {
  json pv = {{"metadata", meta("pvc-123")},
             {"spec", {{"capacity", {{"storage", "10Gi"}}},
                       {"accessModes", {"ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce"}},
                       {"persistentVolumeReclaimPolicy", "Delete"},
                       {"storageClassName", "local-path"},
                       {"claimRef", {{"namespace", "default"}, {"name", "data"}}}}},
             {"status", {{"phase", "Bound"}}}};
  json c = table_row_cells(info("", "PersistentVolume", "persistentvolumes"), pv, now());
  ASSERT_EQ(c.size(), 11u);
  EXPECT_EQ(c[1], "10Gi");
  EXPECT_EQ(c[2], "RWO,RWX");
  EXPECT_EQ(c[3], "Delete");
  EXPECT_EQ(c[4], "Bound");
  EXPECT_EQ(c[5], "default/data");
  EXPECT_EQ(c[6], "local-path");
  EXPECT_EQ(c[7], "<unset>");
  EXPECT_EQ(c[8], "");
  EXPECT_EQ(c[10], "<unset>");

  ResourceInfo pvcs = info("", "PersistentVolumeClaim", "persistentvolumeclaims");
  json pvc = {{"metadata", meta("data")},
              {"spec", {{"storageClassName", "local-path"}, {"volumeMode", "Filesystem"},
                        {"resources", {{"requests", {{"storage", "1Gi"}}}}}}},
              {"status", {{"phase", "Pending"}}}};
  c = table_row_cells(pvcs, pvc, now());
  EXPECT_EQ(c[1], "Pending");
  EXPECT_EQ(c[2], "");
  EXPECT_EQ(c[3], "");  // capacity only once bound
  EXPECT_EQ(c[5], "local-path");
  EXPECT_EQ(c[8], "Filesystem");
  pvc["spec"]["volumeName"] = "pvc-123";
  pvc["status"] = {{"phase", "Bound"}, {"accessModes", {"ReadWriteOnce"}},
                   {"capacity", {{"storage", "1Gi"}}}};
  pvc["metadata"]["deletionTimestamp"] = ago(1s);
  c = table_row_cells(pvcs, pvc, now());
  EXPECT_EQ(c[1], "Terminating");
  EXPECT_EQ(c[2], "pvc-123");
  EXPECT_EQ(c[3], "1Gi");
  EXPECT_EQ(c[4], "RWO");
}

TEST(EventPrinter, CoreEvent) {
  ResourceInfo ri = info("", "Event", "events");
  json ev = {{"metadata", meta("web-0.17a")},
             {"involvedObject", {{"kind", "Pod"}, {"name", "web-0"},
                                 {"fieldPath", "spec.containers{app}"}}},
             {"reason", "Pulled"},
             {"message", "  Container image already present\n"},
             {"type", "Normal"},
             {"source", {{"component", "kubelet"}, {"host", "node-a"}}},
             {"firstTimestamp", ago(600s)},
             {"lastTimestamp", ago(5s)},
             {"count", 4}};
  json c = table_row_cells(ri, ev, now());
  ASSERT_EQ(c.size(), 10u);
  EXPECT_EQ(c[0], "5s");
  EXPECT_EQ(c[1], "Normal");
  EXPECT_EQ(c[2], "Pulled");
  EXPECT_EQ(c[3], "pod/web-0");
  EXPECT_EQ(c[4], "spec.containers{app}");
  EXPECT_EQ(c[5], "kubelet, node-a");
  EXPECT_EQ(c[6], "Container image already present");
  EXPECT_EQ(c[7], "10m");
  EXPECT_EQ(c[8], 4);
  EXPECT_EQ(c[9], "web-0.17a");

  // An events-API style event: eventTime only, series, reporting controller.
  json micro = {{"metadata", meta("x")},
                {"involvedObject", {{"kind", "Node"}}},
                {"eventTime", "2024-06-01T11:59:00.123456Z"},
                {"series", {{"count", 7}, {"lastObservedTime", "2024-06-01T11:59:50.000001Z"}}},
                {"reportingController", "kite-scheduler"}};
  c = table_row_cells(ri, micro, now());
  EXPECT_EQ(c[0], "9s");
  EXPECT_EQ(c[3], "node");
  EXPECT_EQ(c[5], "kite-scheduler");
  EXPECT_EQ(c[7], "59s");  // 59.88s truncates
  EXPECT_EQ(c[8], 7);
}

TEST(EventPrinter, EventsApiGroupMapsFields) {
  ResourceInfo ri = info("events.k8s.io", "Event", "events");
  json ev = {{"metadata", meta("e1")},
             {"regarding", {{"kind", "Deployment"}, {"name", "web"}}},
             {"note", "Scaled up replica set web-abc to 3"},
             {"reason", "ScalingReplicaSet"},
             {"type", "Normal"},
             {"eventTime", ago(30s)},
             {"reportingController", "deployment-controller"},
             {"reportingInstance", "kite-1"}};
  json c = table_row_cells(ri, ev, now());
  EXPECT_EQ(c[0], "30s");
  EXPECT_EQ(c[3], "deployment/web");
  EXPECT_EQ(c[5], "deployment-controller, kite-1");
  EXPECT_EQ(c[6], "Scaled up replica set web-abc to 3");
  EXPECT_EQ(c[8], 1);  // singleton events count once
}

}  // namespace
}  // namespace kite::api::table_test
