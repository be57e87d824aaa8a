#include "storage/volumes/volume_paths.h"

#include <gtest/gtest.h>

#include "storage/volumes/resource_field.h"

namespace kite::storage {
namespace {

using json = nlohmann::json;

TEST(VolumePaths, PluginDirsAndVolumeDir) {
  EXPECT_EQ(plugin_dir_for(json{{"emptyDir", json::object()}}), "kubernetes.io~empty-dir");
  EXPECT_EQ(plugin_dir_for(json{{"configMap", json::object()}}), "kubernetes.io~configmap");
  EXPECT_EQ(plugin_dir_for(json{{"secret", json::object()}}), "kubernetes.io~secret");
  EXPECT_EQ(plugin_dir_for(json{{"downwardAPI", json::object()}}), "kubernetes.io~downward-api");
  EXPECT_EQ(plugin_dir_for(json{{"projected", json::object()}}), "kubernetes.io~projected");
  EXPECT_EQ(plugin_dir_for(json{{"hostPath", json::object()}}), "");
  EXPECT_EQ(volume_dir("/p", "u1", "kubernetes.io~secret", "s"), "/p/u1/volumes/kubernetes.io~secret/s");
}

TEST(VolumePaths, SubPathMustStayInsideTheVolume) {
  EXPECT_TRUE(check_sub_path("").has_value());
  EXPECT_TRUE(check_sub_path("a/b").has_value());
  EXPECT_TRUE(check_sub_path("a..b").has_value());
  EXPECT_FALSE(check_sub_path("/etc").has_value());
  EXPECT_FALSE(check_sub_path("..").has_value());
  EXPECT_FALSE(check_sub_path("a/../../b").has_value());
  EXPECT_FALSE(is_safe_component(".."));
  EXPECT_FALSE(is_safe_component("a/b"));
  EXPECT_FALSE(is_safe_component(""));
  EXPECT_TRUE(is_safe_component("uid-1"));
}

TEST(VolumePaths, VarRefExpansionAndSubPathExpr) {
  std::map<std::string, std::string> env{{"POD", "web-0"}, {"NS", "prod"}};
  EXPECT_EQ(expand_var_refs("$(NS)/$(POD)", env), "prod/web-0");
  EXPECT_EQ(expand_var_refs("$$(POD)", env), "$(POD)");
  EXPECT_EQ(expand_var_refs("$(MISSING)-x", env), "$(MISSING)-x");
  EXPECT_EQ(expand_var_refs("cost $5 $(", env), "cost $5 $(");
  EXPECT_EQ(*expand_sub_path_expr("logs/$(POD)", env), "logs/web-0");
  env["EVIL"] = "../..";
  EXPECT_FALSE(expand_sub_path_expr("$(EVIL)/etc", env).has_value());
  env["ABS"] = "/etc";
  EXPECT_FALSE(expand_sub_path_expr("$(ABS)", env).has_value());
}

TEST(VolumePaths, PayloadPathsModesAndPropagation) {
  EXPECT_TRUE(check_payload_path("a/b.txt").has_value());
  EXPECT_FALSE(check_payload_path("").has_value());
  EXPECT_FALSE(check_payload_path("/abs").has_value());
  EXPECT_FALSE(check_payload_path("..data").has_value());
  EXPECT_FALSE(check_payload_path("a/../../b").has_value());
  EXPECT_EQ(item_mode(json::object(), json::object()), 0644);
  EXPECT_EQ(item_mode(json::object(), json{{"defaultMode", 0400}}), 0400);
  EXPECT_EQ(item_mode(json{{"mode", 0600}}, json{{"defaultMode", 0400}}), 0600);
  EXPECT_EQ(*propagation_for(json::object()), "");
  EXPECT_EQ(*propagation_for(json{{"mountPropagation", "None"}}), "rprivate");
  EXPECT_EQ(*propagation_for(json{{"mountPropagation", "HostToContainer"}}), "rslave");
  EXPECT_EQ(*propagation_for(json{{"mountPropagation", "Bidirectional"}}), "rshared");
  EXPECT_FALSE(propagation_for(json{{"mountPropagation", "Sideways"}}).has_value());
}

TEST(VolumePaths, HostPathTypeMessagesAsKubelet) {
  EXPECT_EQ(host_path_type_error("", "/x", HostFileKind::kMissing), "");
  EXPECT_EQ(host_path_type_error("Directory", "/x", HostFileKind::kFile), "hostPath type check failed: /x is not a directory");
  EXPECT_EQ(host_path_type_error("DirectoryOrCreate", "/x", HostFileKind::kDirectory), "");
  EXPECT_EQ(host_path_type_error("File", "/x", HostFileKind::kMissing), "hostPath type check failed: /x is not a file");
  EXPECT_EQ(host_path_type_error("Socket", "/x", HostFileKind::kFile), "hostPath type check failed: /x is not a socket file");
  EXPECT_EQ(host_path_type_error("CharDevice", "/dev/null", HostFileKind::kCharDevice), "");
  EXPECT_EQ(host_path_type_error("BlockDevice", "/x", HostFileKind::kFile),
            "hostPath type check failed: /x is not a block device");
  EXPECT_EQ(host_path_type_error("Weird", "/x", HostFileKind::kFile), "Weird is an invalid volume type");
}

json pod_with_resources() {
  return json::parse(R"({
    "metadata": {"name": "web", "namespace": "prod", "uid": "u1", "labels": {"b": "2", "a": "say \"hi\""}},
    "spec": {"nodeName": "n1", "containers": [{"name": "app", "resources": {
      "limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "250m"}}}]},
    "status": {"podIP": "10.42.0.5", "podIPs": [{"ip": "10.42.0.5"}, {"ip": "fd00::5"}]}})");
}

TEST(ResourceField, DivisorsRoundUpAndLimitsDefaultToAllocatable) {
  json pod = pod_with_resources();
  json alloc = json::parse(R"({"cpu": "4", "memory": "8Gi", "ephemeral-storage": "100Gi"})");
  EXPECT_EQ(*resource_field_value(pod, {{"resource", "limits.cpu"}}, "app", alloc), "1");
  EXPECT_EQ(*resource_field_value(pod, {{"resource", "limits.cpu"}, {"divisor", "1m"}}, "app", alloc), "500");
  EXPECT_EQ(*resource_field_value(pod, {{"resource", "requests.cpu"}, {"divisor", "1m"}}, "app", alloc), "250");
  EXPECT_EQ(*resource_field_value(pod, {{"resource", "limits.memory"}, {"divisor", "1Mi"}}, "app", alloc), "128");
  EXPECT_EQ(*resource_field_value(pod, {{"resource", "limits.memory"}}, "app", alloc), "134217728");
  EXPECT_EQ(*resource_field_value(pod, {{"resource", "limits.ephemeral-storage"}, {"divisor", "1Gi"}}, "app", alloc), "100");
  EXPECT_EQ(*resource_field_value(pod, {{"resource", "requests.memory"}}, "app", alloc), "0");
  EXPECT_EQ(*resource_field_value(pod, {{"resource", "limits.cpu"}, {"containerName", "app"}}, "", alloc), "1");
  EXPECT_FALSE(resource_field_value(pod, {{"resource", "limits.gpu"}}, "app", alloc).has_value());
  EXPECT_FALSE(resource_field_value(pod, {{"resource", "limits.cpu"}}, "nope", alloc).has_value());
}

TEST(ResourceField, PodFields) {
  json pod = pod_with_resources();
  EXPECT_EQ(*pod_field_value(pod, "metadata.name"), "web");
  EXPECT_EQ(*pod_field_value(pod, "metadata.namespace"), "prod");
  EXPECT_EQ(*pod_field_value(pod, "metadata.uid"), "u1");
  EXPECT_EQ(*pod_field_value(pod, "metadata.labels['b']"), "2");
  EXPECT_EQ(*pod_field_value(pod, "metadata.labels"), "a=\"say \\\"hi\\\"\"\nb=\"2\"");
  EXPECT_EQ(*pod_field_value(pod, "spec.nodeName"), "n1");
  EXPECT_EQ(*pod_field_value(pod, "status.podIPs"), "10.42.0.5,fd00::5");
  EXPECT_EQ(*pod_field_value(pod, "status.hostIP", {{"status.hostIP", "192.168.1.2"}}), "192.168.1.2");
  EXPECT_FALSE(pod_field_value(pod, "spec.containers").has_value());
}

}  // namespace
}  // namespace kite::storage
