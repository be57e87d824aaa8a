#include "server/controllers/garbagecollector/monitored_resources.h"

namespace kite::controllers::gc {

namespace r = client::resources;

const std::vector<MonitoredResource>& monitored_resources() {
  static const std::vector<MonitoredResource> list = {
      {r::kPods, "Pod"},
      {r::kReplicaSets, "ReplicaSet"},
      {r::kDeployments, "Deployment"},
      {r::kStatefulSets, "StatefulSet"},
      {r::kDaemonSets, "DaemonSet"},
      {r::kControllerRevisions, "ControllerRevision"},
      {r::kJobs, "Job"},
      {r::kCronJobs, "CronJob"},
      {r::kEndpointSlices, "EndpointSlice"},
      {r::kEndpoints, "Endpoints"},
      {r::kServices, "Service"},
      {r::kPersistentVolumeClaims, "PersistentVolumeClaim"},
      {r::kPersistentVolumes, "PersistentVolume"},
      {r::kConfigMaps, "ConfigMap"},
      {r::kSecrets, "Secret"},
      {r::kServiceAccounts, "ServiceAccount"},
      {r::kLeases, "Lease"},
      {r::kNodes, "Node"},
      {r::kPodDisruptionBudgets, "PodDisruptionBudget"},
  };
  return list;
}

std::optional<client::ResourceRef> resource_for_owner(const std::string& api_version, const std::string& kind) {
  auto slash = api_version.find('/');
  std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  for (const auto& m : monitored_resources()) {
    if (m.kind == kind && m.ref.group == group) return m.ref;
  }
  return std::nullopt;
}

}  // namespace kite::controllers::gc
