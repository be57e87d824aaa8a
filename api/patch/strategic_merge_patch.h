// Kubernetes strategic merge patch (`application/strategic-merge-patch+json`), driven by the
// patch strategy and merge key of the kind's Schema (api/schema.h):
//
// - Objects merge recursively; a null member deletes the key.
// - A list whose schema says patch_strategy "merge" merges: lists of objects by
//   patch_merge_key (matching elements merge recursively, new ones are added), lists of
//   primitives are unioned. Any other list is replaced by the patch's list.
// - Where the schema says nothing (null schema, unknown property, free-form map) maps merge as
//   in a JSON merge patch and lists are replaced.
// - Directives: `$patch: replace|merge|delete` in a map or as a list element,
//   `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>`, `$retainKeys`. Any other
//   `$`-key that the schema does not declare is BadRequest.
// - Result order of merged lists follows Kubernetes (patch order, $setElementOrder, then live
//   order for elements the patch does not name).
//
// Differences from Kubernetes, on inputs kubectl does not send: `$patch: merge` is accepted
// (as the default) instead of rejected; values added where the live object has nothing are
// cleaned of directives and nulls at every depth.
//
// Errors: BadRequest for a patch that is not an object and for malformed directives or merge
// keys; Invalid for lists of lists. Pure function; never throws; safe from any thread.
#pragma once

#include <nlohmann/json.hpp>

#include "api/schema.h"
#include "base/status.h"

namespace kite::api {

base::Result<json> apply_strategic_merge_patch(const json& doc, const json& patch,
                                               const Schema* schema);

}  // namespace kite::api
