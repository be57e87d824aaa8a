#include "api/patch/merge_patch.h"

namespace kite::api {
namespace {

// A patch value applied to nothing: objects lose their null members (recursively).
json without_nulls(const json& patch) {
  if (!patch.is_object()) return patch;
  json out = json::object();
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (!it->is_null()) out[it.key()] = without_nulls(*it);
  }
  return out;
}

}  // namespace

json apply_merge_patch(const json& doc, const json& patch) {
  if (!patch.is_object()) return patch;
  json out = doc.is_object() ? doc : json::object();
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (it->is_null()) {
      out.erase(it.key());
      continue;
    }
    auto existing = out.find(it.key());
    if (existing == out.end()) {
      out[it.key()] = without_nulls(*it);
    } else {
      *existing = apply_merge_patch(*existing, *it);
    }
  }
  return out;
}

}  // namespace kite::api
