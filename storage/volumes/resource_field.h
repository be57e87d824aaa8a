// Downward API helpers shared by downwardAPI volumes and container env (agent/podenv):
// Quantity parsing, resourceFieldRef values with their divisor, and the pod fields a fieldRef
// may name. Pure functions; safe from any thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace kite::storage {

// A resource.Quantity ("100m", "1Gi", "2e3", "0.5", or a JSON number) in thousandths of a
// unit, rounded up (cpu "1.5m" -> 2). nullopt when not a valid quantity.
std::optional<long double> quantity_milli(const nlohmann::json& v);

// The value of a resourceFieldRef {containerName?, resource, divisor?} for `container_name`
// (the ref's containerName wins) of `pod`, as kubelet writes it: cpu is
// ceil(milli / divisor milli), memory and ephemeral-storage ceil(bytes / divisor bytes), as a
// decimal integer. A limit that is not set is the node's allocatable (`node_allocatable`, the
// Node's status.allocatable; {} when unknown, then "0"); an unset request is 0.
// Errors: an unknown resource, container or a bad divisor (BadRequest).
base::Result<std::string> resource_field_value(const nlohmann::json& pod, const nlohmann::json& ref,
                                               const std::string& container_name,
                                               const nlohmann::json& node_allocatable);

// The value of a fieldRef path of `pod` as kubelet resolves it for env and volumes:
// metadata.name, metadata.namespace, metadata.uid, metadata.labels['k'],
// metadata.annotations['k'], metadata.labels and metadata.annotations (the whole map as
// `k="v"` lines, sorted), spec.nodeName, spec.serviceAccountName, status.hostIP,
// status.hostIPs, status.podIP, status.podIPs (comma-separated). `overrides` supplies
// status.* values the pod object may not carry yet (keys "status.podIP", "status.podIPs",
// "status.hostIP", "status.hostIPs", "spec.nodeName").
// Errors: an unsupported path (BadRequest, "unsupported fieldPath: <path>").
base::Result<std::string> pod_field_value(const nlohmann::json& pod, const std::string& path,
                                          const std::map<std::string, std::string>& overrides = {});

// kubelet's FormatMap: sorted `key="value"` lines (Go %q quoting), no trailing newline.
std::string format_label_map(const nlohmann::json& map);

}  // namespace kite::storage
