// The scheduler's plugins (filter and score rules) and the reason texts their filters report,
// word for word as kube-scheduler's, since users grep `kubectl describe pod` for them.
//
// default_plugins() gives kube-scheduler's default profile order (filters run in this order
// and a node stops at the first plugin that rejects it), with kite's ImageArchitecture filter
// after NodeAffinity. See plugin.h for the threading contract.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "scheduler/image_platforms.h"
#include "scheduler/plugin.h"

namespace kite::scheduler {

namespace reasons {
inline constexpr const char* kNodeName = "node(s) didn't match the requested node name";
inline constexpr const char* kNodeUnschedulable = "node(s) were unschedulable";
inline constexpr const char* kNodeAffinity = "node(s) didn't match Pod's node affinity/selector";
inline constexpr const char* kNodePorts = "node(s) didn't have free ports for the requested pod ports";
inline constexpr const char* kTooManyPods = "Too many pods";
inline constexpr const char* kInsufficientPrefix = "Insufficient ";
inline constexpr const char* kArchitecture = "node(s) had an architecture the Pod's images do not support";
inline constexpr const char* kAffinityRules = "node(s) didn't match pod affinity rules";
inline constexpr const char* kAntiAffinityRules = "node(s) didn't match pod anti-affinity rules";
inline constexpr const char* kExistingAntiAffinity = "node(s) didn't satisfy existing pods anti-affinity rules";
inline constexpr const char* kSpreadConstraints = "node(s) didn't match pod topology spread constraints";
inline constexpr const char* kSpreadMissingLabel =
    "node(s) didn't match pod topology spread constraints (missing required label)";
// "node(s) had untolerated taint {key: value}"
std::string untolerated_taint(const std::string& key, const std::string& value);
}  // namespace reasons

// The labels of a namespace (for pod affinity terms with a namespaceSelector); null when the
// namespace is unknown.
using NamespaceLabelsFunc = std::function<std::shared_ptr<const Labels>(const std::string& ns)>;

std::unique_ptr<Plugin> make_node_unschedulable();
std::unique_ptr<Plugin> make_node_name();
std::unique_ptr<Plugin> make_taint_toleration();  // filter + PreferNoSchedule score (weight 3)
std::unique_ptr<Plugin> make_node_affinity();     // filter + preferred score (weight 2)
// Filter only: the pod's images' architectures (when the source knows them) against the node's.
std::unique_ptr<Plugin> make_image_architecture(std::shared_ptr<const ImagePlatformSource> platforms);
std::unique_ptr<Plugin> make_node_ports();
std::unique_ptr<Plugin> make_node_resources_fit();  // filter + LeastAllocated score (weight 1)
std::unique_ptr<Plugin> make_balanced_allocation();  // score only (weight 1)
std::unique_ptr<Plugin> make_pod_topology_spread();  // filter + ScheduleAnyway score (weight 2)
std::unique_ptr<Plugin> make_inter_pod_affinity(NamespaceLabelsFunc namespace_labels);  // weight 2
std::unique_ptr<Plugin> make_image_locality();  // score only (weight 1)

struct PluginOptions {
  std::shared_ptr<const ImagePlatformSource> image_platforms;  // null = NoImagePlatforms
  NamespaceLabelsFunc namespace_labels;                        // null = no namespace labels
  bool image_locality = true;
};

std::vector<std::unique_ptr<Plugin>> default_plugins(const PluginOptions& options);

}  // namespace kite::scheduler
