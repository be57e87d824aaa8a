// Turns a Service's desired endpoints into the EndpointSlice creates, updates and deletes
// that reach them from the existing slices, keeping endpoints where they are. Pure;
// thread-safe.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

namespace kite::controllers::endpointslice {

using json = nlohmann::json;

inline constexpr size_t kMaxEndpointsPerSlice = 100;
inline constexpr const char* kLabelServiceName = "kubernetes.io/service-name";
inline constexpr const char* kLabelManagedBy = "endpointslice.kubernetes.io/managed-by";
inline constexpr const char* kControllerName = "endpointslice-controller.k8s.io";

struct DesiredEndpoint {
  json ports;     // the resolved EndpointPort list
  json endpoint;  // the Endpoint object
};

struct SlicePlan {
  std::vector<json> creates;  // full objects with generateName
  std::vector<json> updates;  // existing objects changed
  std::vector<json> deletes;  // existing objects to delete
};

// `existing`: the Service's managed slices. `labels`: the labels every slice must carry.
SlicePlan plan_slices(const json& service, const json& labels, const std::vector<DesiredEndpoint>& desired,
                      const std::vector<json>& existing, size_t max_per_slice = kMaxEndpointsPerSlice);

}  // namespace kite::controllers::endpointslice
