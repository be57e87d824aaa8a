// Small read helpers for objects in JSON wire form, shared by the workload controllers:
// typed lookups of nested fields with a default when a field is absent or has another type,
// and the metadata fields every controller reads. Pure functions; safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace kite::controllers::podcontrol {

using json = nlohmann::json;

// The value at `path` (object keys), or a null json when any step is missing.
const json& field(const json& obj, std::initializer_list<const char*> path);
int64_t int_field(const json& obj, std::initializer_list<const char*> path, int64_t def = 0);
std::string string_field(const json& obj, std::initializer_list<const char*> path, const std::string& def = "");

std::string name_of(const json& obj);
std::string namespace_of(const json& obj);
std::string uid_of(const json& obj);
std::string resource_version_of(const json& obj);
int64_t generation_of(const json& obj);
// metadata.labels as an object ({} when absent).
json labels_of(const json& obj);
bool has_deletion_timestamp(const json& obj);

// Parses an RFC 3339 timestamp field; nullopt when absent or malformed.
std::optional<std::chrono::system_clock::time_point> time_field(const json& obj,
                                                                std::initializer_list<const char*> path);

// Drops null values, empty objects and empty arrays recursively, as Kubernetes' semantic
// equality treats nil and empty the same: used to compare templates and statuses.
json semantic_normal_form(const json& value);
bool semantically_equal(const json& a, const json& b);
// semantically_equal for status objects: also treats top-level integer 0 as absent (the Go API
// omits zero counters, a server may store them either way).
bool status_equal(const json& a, const json& b);

}  // namespace kite::controllers::podcontrol
