#include "api/validation/schema_check.h"

#include <cmath>
#include <regex>

namespace kite::api::validation {
namespace {

std::string short_ref(const std::string& ref_name) {
  auto dot = ref_name.rfind('.');
  return dot == std::string::npos ? ref_name : ref_name.substr(dot + 1);
}

// The OpenAPI type word for CRD error messages.
std::string openapi_type(const Schema& s) {
  switch (s.type) {
    case Schema::Type::Object: return "object";
    case Schema::Type::Array: return "array";
    case Schema::Type::String: return "string";
    case Schema::Type::Integer: return "integer";
    case Schema::Type::Number: return "number";
    case Schema::Type::Boolean: return "boolean";
    case Schema::Type::IntOrString: return "integer or string";
    case Schema::Type::Quantity: return "string or number";
    case Schema::Type::Any: return "any";
  }
  return "any";
}

std::string json_type_word(const json& v) {
  if (v.is_string()) return "string";
  if (v.is_boolean()) return "boolean";
  if (v.is_number_integer()) return "integer";
  if (v.is_number()) return "number";
  if (v.is_array()) return "array";
  if (v.is_object()) return "object";
  return "null";
}

// Go's json package names the value kind: "string", "number", "bool", "array", "object".
std::string go_json_word(const json& v) {
  if (v.is_string()) return "string";
  if (v.is_boolean()) return "bool";
  if (v.is_number_float() && !v.is_number_integer()) return "number " + v.dump();
  if (v.is_number()) return "number";
  if (v.is_array()) return "array";
  if (v.is_object()) return "object";
  return "null";
}

bool integral(const json& v) {
  if (v.is_number_integer()) return true;
  if (v.is_number_float()) {
    double d = v.get<double>();
    return std::isfinite(d) && std::floor(d) == d;
  }
  return false;
}

bool type_matches(const Schema& s, const json& v) {
  switch (s.type) {
    case Schema::Type::Object: return v.is_object();
    case Schema::Type::Array: return v.is_array();
    case Schema::Type::String: return v.is_string();
    case Schema::Type::Integer: return integral(v);
    case Schema::Type::Number: return v.is_number();
    case Schema::Type::Boolean: return v.is_boolean();
    case Schema::Type::IntOrString: return v.is_string() || integral(v);
    case Schema::Type::Quantity: return v.is_string() || v.is_number();
    case Schema::Type::Any: return true;
  }
  return true;
}

struct Walker {
  bool custom;
  SchemaCheck out;

  void type_error(const Schema& s, const json& v, const std::string& path,
                  const std::string& parent_struct) {
    if (custom) {
      out.errors.type_invalid(path, json_type_word(v),
                              path + " in body must be of type " + openapi_type(s) + ": " +
                                  json(json_type_word(v)).dump());
      return;
    }
    if (out.decode_error) return;
    out.decode_error = "json: cannot unmarshal " + go_json_word(v) + " into Go struct field " +
                       parent_struct + "." + path + " of type " + go_type_name(s);
  }

  void limits(const Schema& s, const json& v, const std::string& path) {
    if (!s.enum_values.empty()) {
      bool found = false;
      for (const auto& e : s.enum_values)
        if (e == v) found = true;
      if (!found) {
        std::vector<std::string> supported;
        for (const auto& e : s.enum_values) supported.push_back(e.is_string() ? e.get<std::string>() : e.dump());
        out.errors.not_supported(path, v, supported);
      }
    }
    if (v.is_number()) {
      double d = v.get<double>();
      if (s.minimum && d < *s.minimum)
        out.errors.invalid(path, v, path + " in body should be greater than or equal to " +
                                        json(*s.minimum).dump());
      if (s.maximum && d > *s.maximum)
        out.errors.invalid(path, v, path + " in body should be less than or equal to " +
                                        json(*s.maximum).dump());
    }
    if (v.is_string()) {
      const auto& str = v.get_ref<const std::string&>();
      if (s.max_length && static_cast<int64_t>(str.size()) > *s.max_length)
        out.errors.add("FieldValueTooLong", path,
                       "Too long: may not be more than " + std::to_string(*s.max_length) + " bytes");
      if (s.min_length && static_cast<int64_t>(str.size()) < *s.min_length)
        out.errors.invalid(path, v, path + " in body should be at least " +
                                        std::to_string(*s.min_length) + " chars long");
      if (!s.pattern.empty()) {
        try {
          if (!std::regex_search(str, std::regex(s.pattern, std::regex::ECMAScript)))
            out.errors.invalid(path, v, path + " in body should match '" + s.pattern + "'");
        } catch (const std::regex_error&) {
          // An unusable pattern was accepted when the CRD was created; skip it.
        }
      }
    }
    if (v.is_array()) {
      auto n = static_cast<int64_t>(v.size());
      if (s.max_items && n > *s.max_items)
        out.errors.add("FieldValueTooMany", path,
                       "Too many: " + std::to_string(n) + ": must have at most " +
                           std::to_string(*s.max_items) + " items");
      if (s.min_items && n < *s.min_items)
        out.errors.invalid(path, v.size(), path + " in body should have at least " +
                                               std::to_string(*s.min_items) + " items");
    }
  }

  void walk(const Schema& s, const json& v, const std::string& path,
            const std::string& parent_struct, bool resource_root) {
    if (v.is_null()) return;  // null decodes to the zero value
    if (!type_matches(s, v)) {
      type_error(s, v, path, parent_struct);
      return;
    }
    limits(s, v, path);
    std::string my_struct = s.ref_name.empty() ? parent_struct : short_ref(s.ref_name);
    if (v.is_array() && s.items) {
      for (size_t i = 0; i < v.size(); ++i)
        walk(*s.items, v[i], index_path(path, i), my_struct, s.items->embedded_resource);
      return;
    }
    if (!v.is_object() || s.type != Schema::Type::Object) return;
    for (const auto& req : s.required) {
      auto it = v.find(req);
      if (it == v.end() || it->is_null()) out.errors.required(child_path(path, req));
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      const std::string& key = it.key();
      auto prop = s.properties.find(key);
      if (prop != s.properties.end() && prop->second) {
        walk(*prop->second, it.value(), child_path(path, key), my_struct,
             prop->second->embedded_resource);
        continue;
      }
      if (s.additional_properties) {
        walk(*s.additional_properties, it.value(), key_path(path, key), my_struct,
             s.additional_properties->embedded_resource);
        continue;
      }
      if (s.preserve_unknown_fields) continue;
      if ((resource_root || s.embedded_resource) &&
          (key == "apiVersion" || key == "kind" || key == "metadata"))
        continue;
      out.unknown_fields.push_back(child_path(path, key));
    }
  }
};

}  // namespace

std::string go_type_name(const Schema& s) {
  switch (s.type) {
    case Schema::Type::Object:
      if (!s.ref_name.empty()) return short_ref(s.ref_name);
      if (s.additional_properties) return "map[string]" + go_type_name(*s.additional_properties);
      return "map[string]interface {}";
    case Schema::Type::Array: return "[]" + (s.items ? go_type_name(*s.items) : std::string("interface {}"));
    case Schema::Type::String: return "string";
    case Schema::Type::Integer: return s.format == "int32" ? "int32" : "int64";
    case Schema::Type::Number: return "float64";
    case Schema::Type::Boolean: return "bool";
    case Schema::Type::IntOrString: return "intstr.IntOrString";
    case Schema::Type::Quantity: return "resource.Quantity";
    case Schema::Type::Any: return "interface {}";
  }
  return "interface {}";
}

SchemaCheck check_against_schema(const Schema& root, const json& obj, bool custom) {
  Walker w{custom, {}};
  std::string root_struct = root.ref_name.empty() ? "Object" : short_ref(root.ref_name);
  w.walk(root, obj, "", root_struct, /*resource_root=*/true);
  return std::move(w.out);
}

}  // namespace kite::api::validation
