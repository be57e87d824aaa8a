#include "api/openapi/schema_emitter.h"

#include <set>
#include <sstream>

namespace kite::api::openapi {
namespace {

class Emitter {
 public:
  explicit Emitter(Dialect d) : d_(d) {}

  // A definition body: the schema itself with its nested named schemas as references.
  json body(const Schema& s) {
    json out = json::object();
    if (!s.description.empty()) out["description"] = s.description;
    switch (s.type) {
      case Schema::Type::Object: {
        out["type"] = "object";
        if (!s.properties.empty()) {
          json props = json::object();
          for (const auto& [name, p] : s.properties)
            if (p) props[name] = field(*p);
          out["properties"] = std::move(props);
        }
        if (s.additional_properties) out["additionalProperties"] = field(*s.additional_properties);
        if (!s.required.empty()) out["required"] = s.required;
        break;
      }
      case Schema::Type::Array:
        out["type"] = "array";
        out["items"] = s.items ? field(*s.items) : json::object();
        break;
      case Schema::Type::String: out["type"] = "string"; break;
      case Schema::Type::Integer: out["type"] = "integer"; break;
      case Schema::Type::Number: out["type"] = "number"; break;
      case Schema::Type::Boolean: out["type"] = "boolean"; break;
      case Schema::Type::IntOrString:
        out["type"] = "string";
        out["format"] = "int-or-string";
        out["x-kubernetes-int-or-string"] = true;
        break;
      case Schema::Type::Quantity: out["type"] = "string"; break;
      case Schema::Type::Any: break;
    }
    if (!s.format.empty() && !out.contains("format")) out["format"] = s.format;
    if (s.preserve_unknown_fields) out["x-kubernetes-preserve-unknown-fields"] = true;
    if (s.embedded_resource) out["x-kubernetes-embedded-resource"] = true;
    if (!s.patch_strategy.empty()) out["x-kubernetes-patch-strategy"] = s.patch_strategy;
    if (!s.patch_merge_key.empty()) out["x-kubernetes-patch-merge-key"] = s.patch_merge_key;
    if (!s.list_type.empty()) out["x-kubernetes-list-type"] = s.list_type;
    if (!s.list_map_keys.empty()) out["x-kubernetes-list-map-keys"] = s.list_map_keys;
    if (!s.map_type.empty()) out["x-kubernetes-map-type"] = s.map_type;
    if (!s.enum_values.empty()) out["enum"] = s.enum_values;
    if (s.default_value) out["default"] = *s.default_value;
    if (s.nullable) {
      if (d_ == Dialect::V3) out["nullable"] = true;
      else out["x-nullable"] = true;
    }
    if (s.minimum) out["minimum"] = *s.minimum;
    if (s.maximum) out["maximum"] = *s.maximum;
    if (s.min_length) out["minLength"] = *s.min_length;
    if (s.max_length) out["maxLength"] = *s.max_length;
    if (s.min_items) out["minItems"] = *s.min_items;
    if (s.max_items) out["maxItems"] = *s.max_items;
    if (!s.pattern.empty()) out["pattern"] = s.pattern;
    return out;
  }

  // How a property refers to a schema: a reference for named schemas (queued for emission),
  // the inline body otherwise.
  json field(const Schema& s) {
    if (s.ref_name.empty()) return body(s);
    queue(s.ref_name, s);
    json ref = {{"$ref", ref_to(d_, s.ref_name)}};
    if (s.description.empty()) return ref;
    if (d_ == Dialect::V3) return {{"allOf", json::array({ref})}, {"description", s.description}};
    ref["description"] = s.description;
    return ref;
  }

  void queue(const std::string& name, const Schema& s) {
    if (seen_.insert(name).second) pending_.push_back({name, &s});
  }

  // Emits every queued definition (and what they reach) into defs.
  void drain(json& defs) {
    while (!pending_.empty()) {
      auto [name, s] = pending_.back();
      pending_.pop_back();
      if (!defs.contains(name)) defs[name] = body(*s);
    }
  }

 private:
  Dialect d_;
  std::set<std::string> seen_;
  std::vector<std::pair<std::string, const Schema*>> pending_;
};

std::string reversed_group(const std::string& group) {
  if (group.empty()) return "io.k8s.api.core";
  std::vector<std::string> parts;
  std::stringstream in(group);
  std::string p;
  while (std::getline(in, p, '.')) parts.push_back(p);
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) out += (out.empty() ? "" : ".") + *it;
  return out;
}

void add_gvk(json& def, const ResourceInfo& info, const std::string& kind) {
  json& list = def["x-kubernetes-group-version-kind"];
  if (!list.is_array()) list = json::array();
  json entry = gvk(info.group, info.version, kind);
  for (const auto& e : list)
    if (e == entry) return;
  list.push_back(std::move(entry));
}

}  // namespace

json gvk(const std::string& group, const std::string& version, const std::string& kind) {
  return {{"group", group}, {"kind", kind}, {"version", version}};
}

std::string ref_to(Dialect d, const std::string& name) {
  return (d == Dialect::V3 ? "#/components/schemas/" : "#/definitions/") + name;
}

std::string definition_name(const ResourceInfo& info) {
  if (info.schema && !info.schema->ref_name.empty()) return info.schema->ref_name;
  return reversed_group(info.group) + "." + info.version + "." + info.kind;
}

std::string list_definition_name(const ResourceInfo& info) {
  std::string name = definition_name(info);
  auto dot = name.rfind('.');
  std::string list_kind = info.list_kind.empty() ? info.kind + "List" : info.list_kind;
  return (dot == std::string::npos ? std::string() : name.substr(0, dot + 1)) + list_kind;
}

void add_definitions(Dialect d, const std::vector<ResourceInfoPtr>& resources, json& defs) {
  Emitter em(d);
  for (const auto& info : resources) {
    if (!info) continue;
    std::string name = definition_name(*info);
    if (!defs.contains(name)) {
      if (info->schema) {
        json body = em.body(*info->schema);
        defs[name] = std::move(body);
      } else {
        defs[name] = {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}};
      }
    }
    add_gvk(defs[name], *info, info->kind);
    if (info->schema) em.drain(defs);

    std::string list_name = list_definition_name(*info);
    if (!defs.contains(list_name)) {
      std::string list_kind = info->list_kind.empty() ? info->kind + "List" : info->list_kind;
      defs[list_name] = {
          {"description", list_kind + " is a list of " + info->kind + " objects."},
          {"type", "object"},
          {"required", json::array({"items"})},
          {"properties",
           {{"apiVersion", {{"type", "string"}, {"description", "APIVersion defines the versioned schema of this representation of an object."}}},
            {"kind", {{"type", "string"}, {"description", "Kind is a string value representing the REST resource this object represents."}}},
            {"items", {{"type", "array"}, {"items", {{"$ref", ref_to(d, name)}}}}},
            {"metadata",
             {{"type", "object"},
              {"description", "Standard list metadata."},
              {"properties",
               {{"continue", {{"type", "string"}}},
                {"remainingItemCount", {{"type", "integer"}, {"format", "int64"}}},
                {"resourceVersion", {{"type", "string"}}}}}}}}}};
    }
    add_gvk(defs[list_name], *info, info->list_kind.empty() ? info->kind + "List" : info->list_kind);
  }
}

}  // namespace kite::api::openapi
