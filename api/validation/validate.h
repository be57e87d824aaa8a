// Validation of API objects against their kind's schema and Kubernetes' rules.
//
// validate_object checks an object about to be created (or the new state of an update) against
// the ResourceInfo it is served as: apiVersion/kind, the type of every field, required fields,
// enums, metadata (names, labels, annotations) and the per-kind semantic rules kubectl users
// meet most (api/validation/*_checks.cpp). Errors come back as the Status Kubernetes would send:
// Invalid (422) with one cause per field, or BadRequest (400) for undecodable bodies (wrong JSON
// types on built-in kinds, unknown fields under fieldValidation=Strict).
// validate_update adds the immutability rules of an update. check_duplicate_fields looks at the
// raw request body, since a parsed json has already dropped duplicate keys.
// All functions are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/resource.h"
#include "base/status.h"

namespace kite::api {

// The fieldValidation query parameter.
enum class FieldValidation { Ignore, Warn, Strict };

// Parses "Ignore"/"Warn"/"Strict" (empty = Warn, the server default in Kubernetes 1.27+);
// BadRequest for anything else.
base::Result<FieldValidation> parse_field_validation(std::string_view s);

// Validates `obj` as an object of `info`. Returns the warnings to send back (Warn mode:
// `unknown field "spec.foo"`), or the error Status.
base::Result<std::vector<std::string>> validate_object(const ResourceInfo& info, const json& obj,
                                                       FieldValidation mode);

// Immutability rules for an update from old_obj to new_obj (both full objects). Invalid with
// causes when an immutable field changed.
base::Result<void> validate_update(const ResourceInfo& info, const json& old_obj,
                                   const json& new_obj);

// The duplicate keys of a raw JSON body, as messages `duplicate field "spec.replicas"`.
// BadRequest when the body is not JSON.
base::Result<std::vector<std::string>> find_duplicate_fields(std::string_view raw_json);

// BadRequest `strict decoding error: duplicate field "spec.replicas"` when the body repeats a
// key anywhere (fieldValidation=Strict); the caller turns find_duplicate_fields into warnings
// for Warn.
base::Result<void> check_duplicate_fields(std::string_view raw_json);

}  // namespace kite::api
