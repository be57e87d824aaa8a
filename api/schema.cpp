// Schema: lookups, and conversion from/to OpenAPI v3 schema objects (CRD openAPIV3Schema).
#include "api/schema.h"

#include "api/schemas/builtin_schemas.h"

namespace kite::api {
namespace {

using base::Reason;

const char* type_name(Schema::Type t) {
  switch (t) {
    case Schema::Type::Object: return "object";
    case Schema::Type::Array: return "array";
    case Schema::Type::String: return "string";
    case Schema::Type::Integer: return "integer";
    case Schema::Type::Number: return "number";
    case Schema::Type::Boolean: return "boolean";
    default: return "";
  }
}

// Keywords kite cannot honour; a schema using them is rejected rather than half-understood.
constexpr const char* kUnsupported[] = {"$ref", "definitions", "dependencies",
                                        "patternProperties", "additionalItems"};

class Converter {
 public:
  base::Status fail(const std::string& path, const std::string& type, const std::string& msg) {
    base::Status s(Reason::Invalid, path + ": " + msg);
    s.with_cause({type, msg, path});
    return s;
  }

  base::Result<SchemaPtr> convert(const json& j, const std::string& path, bool root) {
    if (!j.is_object()) return std::unexpected(fail(path, "FieldValueInvalid", "must be an object"));
    for (const char* k : kUnsupported) {
      if (j.contains(k))
        return std::unexpected(fail(path + "." + k, "FieldValueForbidden", "is not supported"));
    }
    auto s = std::make_shared<Schema>();
    bool int_or_string = j.value("x-kubernetes-int-or-string", false);
    bool preserve = j.value("x-kubernetes-preserve-unknown-fields", false);
    std::string type;
    if (j.contains("type")) {
      if (!j["type"].is_string())
        return std::unexpected(fail(path + ".type", "FieldValueInvalid", "must be a string"));
      type = j["type"].get<std::string>();
    }
    std::string format = j.contains("format") && j["format"].is_string() ? j["format"].get<std::string>() : "";
    if (int_or_string) {
      if (!type.empty())
        return std::unexpected(fail(path + ".type", "FieldValueForbidden",
                                    "must be empty with x-kubernetes-int-or-string"));
      s->type = format == "quantity" ? Schema::Type::Quantity : Schema::Type::IntOrString;
    } else if (type.empty()) {
      if (!preserve || root)
        return std::unexpected(fail(path + ".type", "FieldValueRequired",
                                    "must not be empty for specified fields"));
      s->type = Schema::Type::Any;
    } else if (type == "object") {
      s->type = Schema::Type::Object;
    } else if (type == "array") {
      s->type = Schema::Type::Array;
    } else if (type == "string") {
      s->type = Schema::Type::String;
    } else if (type == "integer") {
      s->type = Schema::Type::Integer;
    } else if (type == "number") {
      s->type = Schema::Type::Number;
    } else if (type == "boolean") {
      s->type = Schema::Type::Boolean;
    } else {
      return std::unexpected(fail(path + ".type", "FieldValueNotSupported",
                                  "unsupported value \"" + type + "\""));
    }
    if (root && s->type != Schema::Type::Object)
      return std::unexpected(fail(path + ".type", "FieldValueInvalid", "must be object at the root"));
    if (s->type != Schema::Type::Quantity) s->format = format;
    s->preserve_unknown_fields = preserve;
    if (j.contains("description") && j["description"].is_string())
      s->description = j["description"].get<std::string>();

    if (j.contains("properties")) {
      if (s->type != Schema::Type::Object || !j["properties"].is_object())
        return std::unexpected(fail(path + ".properties", "FieldValueForbidden",
                                    "only allowed on an object"));
      for (const auto& [name, sub] : j["properties"].items()) {
        auto c = convert(sub, path + ".properties[" + name + "]", false);
        if (!c) return c;
        s->properties[name] = *c;
      }
    }
    if (j.contains("additionalProperties")) {
      const json& ap = j["additionalProperties"];
      if (s->type != Schema::Type::Object)
        return std::unexpected(fail(path + ".additionalProperties", "FieldValueForbidden",
                                    "only allowed on an object"));
      if (j.contains("properties"))
        return std::unexpected(fail(path + ".additionalProperties", "FieldValueForbidden",
                                    "additionalProperties and properties are mutual exclusive"));
      if (ap.is_boolean()) {
        if (ap.get<bool>()) {
          auto any = std::make_shared<Schema>();
          any->preserve_unknown_fields = true;
          s->additional_properties = any;
        }
      } else {
        auto c = convert(ap, path + ".additionalProperties", false);
        if (!c) return c;
        s->additional_properties = *c;
      }
    }
    if (j.contains("required")) {
      if (!j["required"].is_array())
        return std::unexpected(fail(path + ".required", "FieldValueInvalid", "must be a list"));
      for (const auto& r : j["required"]) {
        if (!r.is_string())
          return std::unexpected(fail(path + ".required", "FieldValueInvalid", "must be strings"));
        s->required.push_back(r.get<std::string>());
      }
    }
    if (s->type == Schema::Type::Array) {
      if (!j.contains("items"))
        return std::unexpected(fail(path + ".items", "FieldValueRequired",
                                    "must be specified for an array"));
      if (j["items"].is_array())
        return std::unexpected(fail(path + ".items", "FieldValueForbidden",
                                    "items must be a schema object, not a list"));
      auto c = convert(j["items"], path + ".items", false);
      if (!c) return c;
      s->items = *c;
    } else if (j.contains("items")) {
      return std::unexpected(fail(path + ".items", "FieldValueForbidden", "only allowed on an array"));
    }

    if (j.value("x-kubernetes-embedded-resource", false)) {
      if (s->type != Schema::Type::Object)
        return std::unexpected(fail(path + ".x-kubernetes-embedded-resource", "FieldValueForbidden",
                                    "must be used with type object"));
      s->embedded_resource = true;
    }
    s->patch_strategy = str(j, "x-kubernetes-patch-strategy");
    s->patch_merge_key = str(j, "x-kubernetes-patch-merge-key");
    s->list_type = str(j, "x-kubernetes-list-type");
    s->map_type = str(j, "x-kubernetes-map-type");
    if (!s->list_type.empty()) {
      if (s->type != Schema::Type::Array)
        return std::unexpected(fail(path + ".x-kubernetes-list-type", "FieldValueForbidden",
                                    "must only be used with type array"));
      if (s->list_type != "atomic" && s->list_type != "set" && s->list_type != "map")
        return std::unexpected(fail(path + ".x-kubernetes-list-type", "FieldValueNotSupported",
                                    "must be atomic, set or map"));
    }
    if (j.contains("x-kubernetes-list-map-keys")) {
      for (const auto& k : j["x-kubernetes-list-map-keys"]) {
        if (k.is_string()) s->list_map_keys.push_back(k.get<std::string>());
      }
    }
    if (s->list_type == "map") {
      if (s->list_map_keys.empty())
        return std::unexpected(fail(path + ".x-kubernetes-list-map-keys", "FieldValueRequired",
                                    "must not be empty if x-kubernetes-list-type is map"));
      if (!s->items || s->items->type != Schema::Type::Object)
        return std::unexpected(fail(path + ".items", "FieldValueInvalid",
                                    "must be an object for x-kubernetes-list-type map"));
    } else if (!s->list_map_keys.empty()) {
      return std::unexpected(fail(path + ".x-kubernetes-list-map-keys", "FieldValueForbidden",
                                  "only allowed with x-kubernetes-list-type map"));
    }
    if (!s->map_type.empty() && s->map_type != "atomic" && s->map_type != "granular")
      return std::unexpected(fail(path + ".x-kubernetes-map-type", "FieldValueNotSupported",
                                  "must be atomic or granular"));

    if (j.contains("enum")) {
      if (!j["enum"].is_array())
        return std::unexpected(fail(path + ".enum", "FieldValueInvalid", "must be a list"));
      for (const auto& v : j["enum"]) s->enum_values.push_back(v);
    }
    if (j.contains("default")) s->default_value = j["default"];
    s->nullable = j.value("nullable", false);
    if (auto v = num(j, "minimum")) s->minimum = *v;
    if (auto v = num(j, "maximum")) s->maximum = *v;
    s->min_length = integer(j, "minLength");
    s->max_length = integer(j, "maxLength");
    s->min_items = integer(j, "minItems");
    s->max_items = integer(j, "maxItems");
    s->pattern = str(j, "pattern");
    return SchemaPtr(s);
  }

 private:
  static std::string str(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : "";
  }
  static std::optional<double> num(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
  }
  static std::optional<int64_t> integer(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<int64_t>();
  }
};

json ref_to(const std::string& name) { return {{"$ref", "#/components/schemas/" + name}}; }

// Field-level extras of a use of a named definition (a copy amended by the field).
json field_extras(const Schema& use) {
  json extras = json::object();
  SchemaPtr def = builtin_schema(use.ref_name);
  if (!def) return extras;
  if (use.description != def->description && !use.description.empty())
    extras["description"] = use.description;
  if (use.patch_strategy != def->patch_strategy && !use.patch_strategy.empty())
    extras["x-kubernetes-patch-strategy"] = use.patch_strategy;
  if (use.map_type != def->map_type && !use.map_type.empty())
    extras["x-kubernetes-map-type"] = use.map_type;
  if (use.default_value && use.default_value != def->default_value)
    extras["default"] = *use.default_value;
  return extras;
}

json emit(const Schema& s, bool refs, bool top) {
  if (refs && !top && !s.ref_name.empty()) {
    json extras = field_extras(s);
    if (extras.empty()) return ref_to(s.ref_name);
    extras["allOf"] = json::array({ref_to(s.ref_name)});
    return extras;
  }
  json j = json::object();
  if (!s.description.empty()) j["description"] = s.description;
  switch (s.type) {
    case Schema::Type::IntOrString:
      j["x-kubernetes-int-or-string"] = true;
      j["anyOf"] = json::array({{{"type", "integer"}}, {{"type", "string"}}});
      break;
    case Schema::Type::Quantity:
      j["x-kubernetes-int-or-string"] = true;
      j["anyOf"] = json::array({{{"type", "integer"}}, {{"type", "string"}}});
      j["format"] = "quantity";
      break;
    case Schema::Type::Any:
      break;
    default:
      j["type"] = type_name(s.type);
  }
  if (!s.format.empty()) j["format"] = s.format;
  if (!s.properties.empty()) {
    json props = json::object();
    for (const auto& [name, p] : s.properties) props[name] = emit(*p, refs, false);
    j["properties"] = props;
  }
  if (s.additional_properties) {
    const Schema& ap = *s.additional_properties;
    bool plain_any = ap.type == Schema::Type::Any && ap.ref_name.empty() && ap.description.empty();
    j["additionalProperties"] = plain_any ? json(true) : emit(ap, refs, false);
  }
  if (!s.required.empty()) j["required"] = s.required;
  if (s.items) j["items"] = emit(*s.items, refs, false);
  if (s.preserve_unknown_fields) j["x-kubernetes-preserve-unknown-fields"] = true;
  if (s.embedded_resource) j["x-kubernetes-embedded-resource"] = true;
  if (!s.patch_strategy.empty()) j["x-kubernetes-patch-strategy"] = s.patch_strategy;
  if (!s.patch_merge_key.empty()) j["x-kubernetes-patch-merge-key"] = s.patch_merge_key;
  if (!s.list_type.empty()) j["x-kubernetes-list-type"] = s.list_type;
  if (!s.list_map_keys.empty()) j["x-kubernetes-list-map-keys"] = s.list_map_keys;
  if (!s.map_type.empty()) j["x-kubernetes-map-type"] = s.map_type;
  if (!s.enum_values.empty()) j["enum"] = s.enum_values;
  if (s.default_value) j["default"] = *s.default_value;
  if (s.nullable) j["nullable"] = true;
  if (s.minimum) j["minimum"] = *s.minimum;
  if (s.maximum) j["maximum"] = *s.maximum;
  if (s.min_length) j["minLength"] = *s.min_length;
  if (s.max_length) j["maxLength"] = *s.max_length;
  if (s.min_items) j["minItems"] = *s.min_items;
  if (s.max_items) j["maxItems"] = *s.max_items;
  if (!s.pattern.empty()) j["pattern"] = s.pattern;
  return j;
}

}  // namespace

const Schema* Schema::property(const std::string& name) const {
  auto it = properties.find(name);
  return it == properties.end() ? nullptr : it->second.get();
}

const Schema* Schema::child(const std::string& key) const {
  if (type != Type::Object) return nullptr;
  if (const Schema* p = property(key)) return p;
  return additional_properties.get();
}

base::Result<SchemaPtr> Schema::from_openapi_v3(const json& openapi) {
  try {
    Converter c;
    return c.convert(openapi, "openAPIV3Schema", true);
  } catch (const std::exception& e) {
    return base::error(Reason::Invalid, std::string("openAPIV3Schema: ") + e.what());
  }
}

json Schema::to_openapi_v3(bool refs) const { return emit(*this, refs, true); }

}  // namespace kite::api
