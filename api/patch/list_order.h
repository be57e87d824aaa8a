// Element ordering rules of Kubernetes' strategic merge patch, shared by the list merge and
// the $setElementOrder directive (internal to api/patch/).
//
// After a merge, the result's elements are split into "patch items" (those named by the
// patch, or by a $setElementOrder list) and "server-only items". Patch items take the order
// of the patch/order list, server-only items keep the order of the live list, and the two are
// interleaved: a server-only item goes before the next patch item only when the live list had
// it earlier. Elements are identified by their merge key value (lists of objects) or by
// value (lists of primitives, when `merge_key` is empty). Pure functions; thread-safe.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace kite::api::patch_detail {

using json = nlohmann::json;

// The identity of a list element: its merge key value, or the element itself.
json element_identity(const json& element, const std::string& merge_key);

// The position of the element with `element`'s identity in `list`, or -1.
long index_of(const json& list, const json& element, const std::string& merge_key);

// Reorders `merged` (an array): elements whose identity appears in `order` come first in
// `order`'s order and are interleaved with the others, which keep their order in `live`.
json normalize_order(const json& merged, const json& order, const json& live,
                     const std::string& merge_key);

}  // namespace kite::api::patch_detail
