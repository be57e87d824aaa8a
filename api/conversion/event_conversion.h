// Conversion between core/v1 Event and events.k8s.io/v1 Event, which Kubernetes stores as one
// object (in the core/v1 shape) and serves in both shapes. Pure functions: fields with no
// counterpart are dropped; metadata is carried over unchanged.
#pragma once

#include <nlohmann/json.hpp>

namespace kite::api {

nlohmann::json core_event_to_events_v1(const nlohmann::json& core);
nlohmann::json events_v1_to_core_event(const nlohmann::json& v1);

// The core/v1 field for an events.k8s.io/v1 field selector path ("regarding.name" ->
// "involvedObject.name", "reportingController" -> "reportingComponent", ...); the path itself
// when both shapes use the same name.
std::string events_v1_field_to_core(const std::string& path);

}  // namespace kite::api
