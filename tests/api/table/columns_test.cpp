// The column sets (names, types, priorities) of every printer, as a Kubernetes 1.32 server
// returns them.
#include <gtest/gtest.h>

#include "tests/api/table/table_test_util.h"

namespace kite::api::table_test {
namespace {

using Names = std::vector<std::string>;

struct Case {
  std::string group, kind, plural;
  Names all;
  Names shown;  // priority 0
};

TEST(TableColumns, EveryBuiltInKind) {
  const std::vector<Case> cases = {
      {"", "Pod", "pods",
       {"Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node",
        "Readiness Gates"},
       {"Name", "Ready", "Status", "Restarts", "Age"}},
      {"", "Service", "services",
       {"Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"},
       {"Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age"}},
      {"", "Endpoints", "endpoints", {"Name", "Endpoints", "Age"}, {"Name", "Endpoints", "Age"}},
      {"", "ConfigMap", "configmaps", {"Name", "Data", "Age"}, {"Name", "Data", "Age"}},
      {"", "Secret", "secrets", {"Name", "Type", "Data", "Age"}, {"Name", "Type", "Data", "Age"}},
      {"", "ServiceAccount", "serviceaccounts", {"Name", "Secrets", "Age"},
       {"Name", "Secrets", "Age"}},
      {"", "Namespace", "namespaces", {"Name", "Status", "Age"}, {"Name", "Status", "Age"}},
      {"", "Node", "nodes",
       {"Name", "Status", "Roles", "Age", "Version", "Internal-IP", "External-IP", "OS-Image",
        "Kernel-Version", "Container-Runtime"},
       {"Name", "Status", "Roles", "Age", "Version"}},
      {"", "Event", "events",
       {"Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen",
        "Count", "Name"},
       {"Last Seen", "Type", "Reason", "Object", "Message"}},
      {"events.k8s.io", "Event", "events",
       {"Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen",
        "Count", "Name"},
       {"Last Seen", "Type", "Reason", "Object", "Message"}},
      {"", "PersistentVolume", "persistentvolumes",
       {"Name", "Capacity", "Access Modes", "Reclaim Policy", "Status", "Claim", "StorageClass",
        "VolumeAttributesClass", "Reason", "Age", "VolumeMode"},
       {"Name", "Capacity", "Access Modes", "Reclaim Policy", "Status", "Claim", "StorageClass",
        "VolumeAttributesClass", "Reason", "Age"}},
      {"", "PersistentVolumeClaim", "persistentvolumeclaims",
       {"Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass",
        "VolumeAttributesClass", "Age", "VolumeMode"},
       {"Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass",
        "VolumeAttributesClass", "Age"}},
      {"apps", "Deployment", "deployments",
       {"Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"},
       {"Name", "Ready", "Up-to-date", "Available", "Age"}},
      {"apps", "ReplicaSet", "replicasets",
       {"Name", "Desired", "Current", "Ready", "Age", "Containers", "Images", "Selector"},
       {"Name", "Desired", "Current", "Ready", "Age"}},
      {"apps", "StatefulSet", "statefulsets", {"Name", "Ready", "Age", "Containers", "Images"},
       {"Name", "Ready", "Age"}},
      {"apps", "DaemonSet", "daemonsets",
       {"Name", "Desired", "Current", "Ready", "Up-to-date", "Available", "Node Selector", "Age",
        "Containers", "Images", "Selector"},
       {"Name", "Desired", "Current", "Ready", "Up-to-date", "Available", "Node Selector", "Age"}},
      {"apps", "ControllerRevision", "controllerrevisions",
       {"Name", "Controller", "Revision", "Age"}, {"Name", "Controller", "Revision", "Age"}},
      {"batch", "Job", "jobs",
       {"Name", "Status", "Completions", "Duration", "Age", "Containers", "Images", "Selector"},
       {"Name", "Status", "Completions", "Duration", "Age"}},
      {"batch", "CronJob", "cronjobs",
       {"Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age", "Containers",
        "Images", "Selector"},
       {"Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age"}},
      {"networking.k8s.io", "Ingress", "ingresses",
       {"Name", "Class", "Hosts", "Address", "Ports", "Age"},
       {"Name", "Class", "Hosts", "Address", "Ports", "Age"}},
      {"networking.k8s.io", "IngressClass", "ingressclasses",
       {"Name", "Controller", "Parameters", "Age"}, {"Name", "Controller", "Parameters", "Age"}},
      {"storage.k8s.io", "StorageClass", "storageclasses",
       {"Name", "Provisioner", "ReclaimPolicy", "VolumeBindingMode", "AllowVolumeExpansion", "Age"},
       {"Name", "Provisioner", "ReclaimPolicy", "VolumeBindingMode", "AllowVolumeExpansion", "Age"}},
      {"coordination.k8s.io", "Lease", "leases", {"Name", "Holder", "Age"},
       {"Name", "Holder", "Age"}},
      {"discovery.k8s.io", "EndpointSlice", "endpointslices",
       {"Name", "AddressType", "Ports", "Endpoints", "Age"},
       {"Name", "AddressType", "Ports", "Endpoints", "Age"}},
      {"policy", "PodDisruptionBudget", "poddisruptionbudgets",
       {"Name", "Min Available", "Max Unavailable", "Allowed Disruptions", "Age"},
       {"Name", "Min Available", "Max Unavailable", "Allowed Disruptions", "Age"}},
      {"rbac.authorization.k8s.io", "RoleBinding", "rolebindings",
       {"Name", "Role", "Age", "Users", "Groups", "ServiceAccounts"}, {"Name", "Role", "Age"}},
      // Resources without a printer of their own: NAME + CREATED AT.
      {"apiextensions.k8s.io", "CustomResourceDefinition", "customresourcedefinitions",
       {"Name", "Created At"}, {"Name", "Created At"}},
      {"rbac.authorization.k8s.io", "ClusterRole", "clusterroles", {"Name", "Created At"},
       {"Name", "Created At"}},
      {"", "LimitRange", "limitranges", {"Name", "Created At"}, {"Name", "Created At"}},
  };
  for (const Case& c : cases) {
    ResourceInfo ri = info(c.group, c.kind, c.plural);
    EXPECT_EQ(column_names(ri), c.all) << c.group << "/" << c.plural;
    EXPECT_EQ(default_column_names(ri), c.shown) << c.group << "/" << c.plural;
  }
}

TEST(TableColumns, TypesAndFormats) {
  auto col = [](const ResourceInfo& ri, const std::string& name) {
    for (const TableColumn& c : table_columns(ri)) {
      if (c.name == name) return c;
    }
    return TableColumn{};
  };
  ResourceInfo pods = info("", "Pod", "pods");
  EXPECT_EQ(col(pods, "Name").format, "name");
  EXPECT_EQ(col(pods, "Name").type, "string");
  EXPECT_EQ(col(pods, "Restarts").type, "string");
  EXPECT_EQ(col(pods, "Age").type, "string");
  EXPECT_EQ(col(pods, "Age").format, "");
  ResourceInfo rs = info("apps", "ReplicaSet", "replicasets");
  EXPECT_EQ(col(rs, "Desired").type, "integer");
  ResourceInfo cj = info("batch", "CronJob", "cronjobs");
  EXPECT_EQ(col(cj, "Suspend").type, "boolean");
  ResourceInfo events = info("", "Event", "events");
  EXPECT_EQ(col(events, "Name").format, "name");
  EXPECT_EQ(col(events, "Name").priority, 1);
  ResourceInfo crd = info("apiextensions.k8s.io", "CustomResourceDefinition",
                          "customresourcedefinitions");
  EXPECT_EQ(col(crd, "Created At").type, "date");
}

TEST(TableColumns, CellCountMatchesColumnsForEmptyObjects) {
  // Every printer tolerates a bare object and yields one cell per column.
  const std::vector<std::vector<std::string>> kinds = {
      {"", "pods"}, {"", "services"}, {"", "endpoints"}, {"", "configmaps"}, {"", "secrets"},
      {"", "serviceaccounts"}, {"", "namespaces"}, {"", "nodes"}, {"", "events"},
      {"", "persistentvolumes"}, {"", "persistentvolumeclaims"}, {"", "replicationcontrollers"},
      {"", "podtemplates"}, {"", "resourcequotas"}, {"", "componentstatuses"},
      {"apps", "deployments"}, {"apps", "replicasets"}, {"apps", "statefulsets"},
      {"apps", "daemonsets"}, {"apps", "controllerrevisions"}, {"batch", "jobs"},
      {"batch", "cronjobs"}, {"networking.k8s.io", "ingresses"},
      {"networking.k8s.io", "ingressclasses"}, {"networking.k8s.io", "networkpolicies"},
      {"storage.k8s.io", "storageclasses"}, {"storage.k8s.io", "csidrivers"},
      {"coordination.k8s.io", "leases"}, {"discovery.k8s.io", "endpointslices"},
      {"policy", "poddisruptionbudgets"}, {"events.k8s.io", "events"},
      {"rbac.authorization.k8s.io", "clusterrolebindings"},
      {"scheduling.k8s.io", "priorityclasses"}, {"node.k8s.io", "runtimeclasses"},
      {"certificates.k8s.io", "certificatesigningrequests"},
      {"autoscaling", "horizontalpodautoscalers"},
      {"admissionregistration.k8s.io", "validatingwebhookconfigurations"},
      {"example.com", "unknowns"}};
  json bare = {{"metadata", {{"name", "x"}}}};
  for (const auto& k : kinds) {
    ResourceInfo ri = info(k[0], "Kind", k[1]);
    json cells = table_row_cells(ri, bare, now());
    ASSERT_TRUE(cells.is_array()) << k[0] << "/" << k[1];
    EXPECT_EQ(cells.size(), table_columns(ri).size()) << k[0] << "/" << k[1];
    // The name cell is the object's name (events put it last).
    bool has_name = false;
    for (const json& c : cells) has_name |= c == "x";
    EXPECT_TRUE(has_name) << k[0] << "/" << k[1];
  }
}

}  // namespace
}  // namespace kite::api::table_test
