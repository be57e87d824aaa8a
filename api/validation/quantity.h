// Parses a resource.Quantity ("100m", "1Gi", "2e3", 5) into a number, for comparisons
// (requests <= limits, PVC growth). Internal to api/validation/.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

namespace kite::api::validation {

// nullopt when `v` is not a valid quantity.
std::optional<long double> parse_quantity(const nlohmann::json& v);

}  // namespace kite::api::validation
