// Structural checks of an object against a Schema tree: JSON types, unknown fields, required
// properties, enums and the OpenAPI value limits CRD schemas use. Internal to api/validation/.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/schema.h"
#include "api/validation/field_errors.h"

namespace kite::api::validation {

struct SchemaCheck {
  FieldErrors errors;                        // required / enum / limits / CRD type errors
  std::vector<std::string> unknown_fields;   // paths, e.g. "spec.foo"
  // The first wrong JSON type on a built-in kind, as Go's decoder would report it:
  // `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`.
  std::optional<std::string> decode_error;
};

// Walks `obj` (a whole object) against `root`. `custom` selects how wrong types are reported:
// as FieldValueTypeInvalid causes (custom resources) or as a decode error (built-in kinds).
SchemaCheck check_against_schema(const Schema& root, const json& obj, bool custom);

// Go's name for the type a schema decodes into ("int32", "string", "[]v1.Container", ...).
std::string go_type_name(const Schema& s);

}  // namespace kite::api::validation
