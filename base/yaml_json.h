// YAML <-> JSON conversion (yaml-cpp): request bodies sent as application/yaml, server-side
// apply bodies, and config files. Plain scalars follow the YAML 1.2 core schema (null, bool,
// int, float, else string); quoted scalars are always strings. Thread-safe (no shared state).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace kite::base {

// Parses one YAML document. BadRequest with the parser's message when malformed.
Result<nlohmann::json> yaml_to_json(std::string_view yaml);
// Parses a multi-document stream ("---" separated); empty documents are skipped.
Result<std::vector<nlohmann::json>> yaml_documents_to_json(std::string_view yaml);
// Emits a JSON value as block-style YAML.
std::string json_to_yaml(const nlohmann::json& value);

}  // namespace kite::base
