// Emits kind schemas as OpenAPI schema objects (v2 "definitions" or v3 "components.schemas")
// with named nested schemas turned into references, and gathers every definition a set of
// kinds reaches. Internal to api/openapi/.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "api/resource.h"

namespace kite::api::openapi {

enum class Dialect { V2, V3 };

// The definition name of a resource's top-level schema: its ref_name, or for schemas without
// one (custom resources) the reversed group + version + kind ("com.example.v1.Widget").
std::string definition_name(const ResourceInfo& info);
std::string list_definition_name(const ResourceInfo& info);
std::string ref_to(Dialect d, const std::string& name);

// Adds to `defs` the definition of each resource's kind and list kind and of every named
// schema they reach, with x-kubernetes-group-version-kind on the kinds.
void add_definitions(Dialect d, const std::vector<ResourceInfoPtr>& resources, json& defs);

// {"group": g, "kind": k, "version": v}
json gvk(const std::string& group, const std::string& version, const std::string& kind);

}  // namespace kite::api::openapi
