// RFC 6901 JSON Pointer helpers used by JSON Patch: parsing "/a/b~1c/0" into reference
// tokens (~1 -> '/', ~0 -> '~') and resolving them against a document without throwing.
// Pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kite::api {

using json = nlohmann::json;

// The reference tokens of `pointer`, or nullopt when it is not a valid JSON Pointer ("" is
// the whole document; otherwise it must start with '/' and use only ~0 and ~1 escapes).
std::optional<std::vector<std::string>> parse_json_pointer(const std::string& pointer);

// An array index token: digits without leading zeros ("0", "12"); "-" and others give nullopt.
std::optional<size_t> parse_array_index(const std::string& token);

// The value the tokens lead to, or null when some step is missing.
const json* resolve_json_pointer(const json& doc, const std::vector<std::string>& tokens);
json* resolve_json_pointer(json& doc, const std::vector<std::string>& tokens);

}  // namespace kite::api
