// The schemas of kite's built-in kinds, parsed once (on first use) from the embedded
// api/schemas/*.kschema files. Thread-safe; the returned schemas are immutable and shared.
#pragma once

#include <map>
#include <string>

#include "api/schema.h"
#include "base/status.h"

namespace kite::api {

// The definition with Kubernetes' OpenAPI name (e.g. "io.k8s.api.core.v1.PodSpec"), or null.
SchemaPtr builtin_schema(const std::string& definition_name);
// The schema of a built-in kind (group "" = core), or null.
SchemaPtr kind_schema(const std::string& group, const std::string& version,
                      const std::string& kind);
// Every built-in definition by name (empty when the embedded data failed to parse).
const std::map<std::string, SchemaPtr>& builtin_schemas();
// Ok, or why the embedded data failed to parse (a build defect; tests check it).
const base::Status& builtin_schemas_status();

}  // namespace kite::api
