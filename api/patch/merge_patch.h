// RFC 7386 JSON Merge Patch (`application/merge-patch+json`): objects merge recursively, a
// null member deletes the key, any other value (lists included) replaces. A patch that is
// not an object replaces the whole document. Cannot fail; never throws; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

namespace kite::api {

using json = nlohmann::json;

json apply_merge_patch(const json& doc, const json& patch);

}  // namespace kite::api
