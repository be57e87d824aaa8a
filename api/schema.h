// Schema: the structural (OpenAPI v3 subset) schema of a kind, the single source for
// validation, defaulting, pruning, strategic-merge-patch keys, OpenAPI documents and
// `kubectl explain`. Built-in kinds get theirs from api/schemas/; custom resources from their
// CRD's openAPIV3Schema (Schema::from_openapi_v3). Schemas are immutable once built and are
// shared between threads through SchemaPtr.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace kite::api {

using json = nlohmann::json;
struct Schema;
using SchemaPtr = std::shared_ptr<const Schema>;

struct Schema {
  enum class Type {
    Object,       // properties and/or additional_properties (a map)
    Array,        // items
    String,
    Integer,
    Number,
    Boolean,
    IntOrString,  // x-kubernetes-int-or-string
    Quantity,     // resource.Quantity: a string like "100m" or a number
    Any,          // no constraint at all (x-kubernetes-preserve-unknown-fields without type)
  };

  Type type = Type::Any;
  std::string format;       // "int32", "int64", "date-time", "byte", ...
  std::string description;
  // Definition name for OpenAPI emission (e.g. "io.k8s.api.core.v1.PodSpec"); empty for an
  // inline schema.
  std::string ref_name;

  // Object
  std::map<std::string, SchemaPtr> properties;
  std::vector<std::string> required;
  SchemaPtr additional_properties;        // map values; null when not a map
  bool preserve_unknown_fields = false;   // x-kubernetes-preserve-unknown-fields
  bool embedded_resource = false;         // x-kubernetes-embedded-resource

  // Array
  SchemaPtr items;
  // Strategic merge patch: x-kubernetes-patch-strategy ("merge", "retainKeys",
  // "merge,retainKeys", "replace" or "") and x-kubernetes-patch-merge-key.
  std::string patch_strategy;
  std::string patch_merge_key;
  // x-kubernetes-list-type ("atomic", "set", "map") and x-kubernetes-list-map-keys.
  std::string list_type;
  std::vector<std::string> list_map_keys;
  std::string map_type;  // x-kubernetes-map-type

  // Value constraints and defaults.
  std::vector<json> enum_values;
  std::optional<json> default_value;
  bool nullable = false;
  std::optional<double> minimum, maximum;
  std::optional<int64_t> min_length, max_length, min_items, max_items;
  std::string pattern;

  // Protobuf facts of a property's schema (the `pb=` and `omitzero` attributes of
  // api/schemas/*.kschema); unset for schemas that lack them (custom resources).
  // proto_field: the property's field number in its message (0 = none). proto_embedded_in:
  // the numbers of the Go-inlined structs between the parent message and the field, outermost
  // first (Volume.emptyDir lives in field 2, volumeSource): usually empty.
  int proto_field = 0;
  std::vector<int> proto_embedded_in;
  // Go's JSON encoding drops this scalar when it holds its zero value (a non-pointer Go field
  // tagged omitempty); a zero value read from protobuf is then dropped too.
  bool omit_zero = false;

  // The schema of property `name`, or null.
  const Schema* property(const std::string& name) const;
  // For Object: the schema of a child key (property, else additional_properties), or null.
  const Schema* child(const std::string& key) const;

  // Builds a Schema from an OpenAPI v3 schema object (as found in a CRD's
  // spec.versions[].schema.openAPIV3Schema). Invalid when it is not a structural schema kite
  // can use.
  static base::Result<SchemaPtr> from_openapi_v3(const json& openapi);
  // Emits this schema as an OpenAPI v3 schema object. With `refs`, named nested schemas are
  // emitted as {"$ref": "#/components/schemas/<ref_name>"}.
  json to_openapi_v3(bool refs) const;
};

}  // namespace kite::api
