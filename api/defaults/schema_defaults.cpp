// Schema-driven defaulting and pruning.
#include "api/defaults/defaults.h"

namespace kite::api {
namespace {

void defaults_walk(const Schema& s, json& v) {
  if (v.is_object() && s.type == Schema::Type::Object) {
    for (const auto& [name, prop] : s.properties) {
      if (!prop) continue;
      auto it = v.find(name);
      if ((it == v.end() || it->is_null()) && prop->default_value) v[name] = *prop->default_value;
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      auto prop = s.properties.find(it.key());
      if (prop != s.properties.end() && prop->second) defaults_walk(*prop->second, it.value());
      else if (s.additional_properties) defaults_walk(*s.additional_properties, it.value());
    }
  } else if (v.is_array() && s.items) {
    for (auto& e : v) defaults_walk(*s.items, e);
  }
}

bool keeps_meta(const std::string& key) {
  return key == "apiVersion" || key == "kind" || key == "metadata";
}

void prune_walk(const Schema& s, json& v, bool resource_root) {
  if (v.is_array()) {
    if (s.items)
      for (auto& e : v) prune_walk(*s.items, e, s.items->embedded_resource);
    return;
  }
  if (!v.is_object() || s.type != Schema::Type::Object) return;
  for (auto it = v.begin(); it != v.end();) {
    const std::string& key = it.key();
    auto prop = s.properties.find(key);
    if (prop != s.properties.end() && prop->second) {
      const Schema& ps = *prop->second;
      // metadata without a schema of its own is ObjectMeta: never pruned here.
      bool opaque_meta = (resource_root || s.embedded_resource) && key == "metadata" &&
                         ps.properties.empty() && !ps.additional_properties;
      if (!opaque_meta) prune_walk(ps, it.value(), ps.embedded_resource);
      ++it;
    } else if (s.additional_properties) {
      prune_walk(*s.additional_properties, it.value(), s.additional_properties->embedded_resource);
      ++it;
    } else if (s.preserve_unknown_fields || ((resource_root || s.embedded_resource) && keeps_meta(key))) {
      ++it;
    } else {
      it = v.erase(it);
    }
  }
}

}  // namespace

void apply_schema_defaults(const Schema& schema, json& obj) { defaults_walk(schema, obj); }

void prune_unknown_fields(const Schema& schema, json& obj) {
  prune_walk(schema, obj, /*resource_root=*/true);
}

}  // namespace kite::api
