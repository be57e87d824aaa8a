// The REST paths of the OpenAPI documents: one path item per collection, object and status
// subresource of each resource, with Kubernetes' operation ids, actions, GVK extensions and
// query parameters. Internal to api/openapi/.
#pragma once

#include <vector>

#include "api/openapi/schema_emitter.h"

namespace kite::api::openapi {

// Adds the paths of `resources` to `paths` (an object keyed by URL path).
void add_paths(Dialect d, const std::vector<ResourceInfoPtr>& resources, json& paths);

}  // namespace kite::api::openapi
