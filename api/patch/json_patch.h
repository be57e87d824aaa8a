// RFC 6902 JSON Patch (`application/json-patch+json`): add, remove, replace, move, copy and
// test, addressed with RFC 6901 JSON Pointers ("~0"/"~1" escapes, "-" = past the array end).
//
// Errors follow the Kubernetes API server: a malformed patch (not a list, an operation that
// is not an object, an unknown op, a missing or invalid "path"/"from"/"value") is BadRequest;
// a well-formed patch that does not apply to the document (missing path, index out of range,
// failed test) is Invalid (422). Operations apply in order to a copy; on error the input is
// untouched. Pure function; never throws; safe from any thread.
#pragma once

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace kite::api {

using json = nlohmann::json;

base::Result<json> apply_json_patch(const json& doc, const json& patch);

}  // namespace kite::api
