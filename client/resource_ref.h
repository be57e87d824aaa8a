// ResourceRef: which REST collection a client call addresses (group, version, plural resource,
// scope), the API paths built from it, and the refs of the built-in resources kite's
// controllers, scheduler and agent use.
//
// Plain values; thread-safe.
#pragma once

#include <string>

namespace kite::client {

struct ResourceRef {
  std::string group;     // "" for core
  std::string version;   // "v1"
  std::string resource;  // plural: "pods"
  bool namespaced = true;

  // "/api/v1" or "/apis/apps/v1".
  std::string group_version_path() const;
  // The collection or object path: /api/v1/namespaces/<ns>/pods[/<name>[/<subresource>]].
  // An empty `ns` on a namespaced resource addresses every namespace (list/watch).
  std::string path(const std::string& ns, const std::string& name = "", const std::string& subresource = "") const;
  // "apps/v1" or "v1" (an object's apiVersion).
  std::string api_version() const;
  bool operator==(const ResourceRef&) const = default;
};

namespace resources {
inline const ResourceRef kNamespaces{"", "v1", "namespaces", false};
inline const ResourceRef kNodes{"", "v1", "nodes", false};
inline const ResourceRef kPods{"", "v1", "pods", true};
inline const ResourceRef kServices{"", "v1", "services", true};
inline const ResourceRef kEndpoints{"", "v1", "endpoints", true};
inline const ResourceRef kEvents{"", "v1", "events", true};
inline const ResourceRef kConfigMaps{"", "v1", "configmaps", true};
inline const ResourceRef kSecrets{"", "v1", "secrets", true};
inline const ResourceRef kServiceAccounts{"", "v1", "serviceaccounts", true};
inline const ResourceRef kPersistentVolumeClaims{"", "v1", "persistentvolumeclaims", true};
inline const ResourceRef kPersistentVolumes{"", "v1", "persistentvolumes", false};
inline const ResourceRef kReplicaSets{"apps", "v1", "replicasets", true};
inline const ResourceRef kDeployments{"apps", "v1", "deployments", true};
inline const ResourceRef kStatefulSets{"apps", "v1", "statefulsets", true};
inline const ResourceRef kDaemonSets{"apps", "v1", "daemonsets", true};
inline const ResourceRef kControllerRevisions{"apps", "v1", "controllerrevisions", true};
inline const ResourceRef kJobs{"batch", "v1", "jobs", true};
inline const ResourceRef kCronJobs{"batch", "v1", "cronjobs", true};
inline const ResourceRef kLeases{"coordination.k8s.io", "v1", "leases", true};
inline const ResourceRef kEndpointSlices{"discovery.k8s.io", "v1", "endpointslices", true};
inline const ResourceRef kPodDisruptionBudgets{"policy", "v1", "poddisruptionbudgets", true};
}  // namespace resources

}  // namespace kite::client
