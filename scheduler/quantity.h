// Quantity parsing for the scheduler: resource.Quantity strings ("100m", "1Gi", "1e3", "0.5",
// 5) turned into exact integers the way Kubernetes' Quantity.MilliValue() and Value() do it
// (rounding up to the next integer unit, so "1.5m" cpu is 2 millicores).
//
// kite's api/ has a long-double parser private to api/validation; the scheduler needs exact
// integer arithmetic on requests and allocatable, so it keeps its own. Pure functions; safe
// from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace kite::scheduler {

// value * 1000, rounded up (cpu in millicores). nullopt when not a valid quantity.
std::optional<int64_t> parse_milli_quantity(std::string_view text);
// The integer value, rounded up (memory and storage in bytes, pods as a count).
std::optional<int64_t> parse_quantity(std::string_view text);

// The same for a JSON value (string or number); nullopt for anything else or a bad string.
std::optional<int64_t> milli_quantity(const nlohmann::json& v);
std::optional<int64_t> quantity(const nlohmann::json& v);

}  // namespace kite::scheduler
