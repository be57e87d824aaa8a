// The desired subsets of a Service's Endpoints (see endpoints_controller.h). Pure; thread-safe.
#pragma once

#include <vector>

#include "server/controllers/endpoints/pod_endpoints.h"

namespace kite::controllers::endpoints {

// The repacked, sorted subsets for `service` given the pods its selector matches.
json desired_subsets(const json& service, const std::vector<client::ObjectPtr>& pods);
// The labels the Endpoints object carries: the Service's, plus the headless marker.
json desired_labels(const json& service);

}  // namespace kite::controllers::endpoints
