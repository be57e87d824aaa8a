// Internal to api/table/: safe JSON field access (never throws, never inserts), timestamp
// parsing, the human-readable duration format Kubernetes prints, and the label / selector /
// container formatting shared by the printers. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace kite::api::table {

using json = nlohmann::json;
using TimePoint = std::chrono::system_clock::time_point;
using Path = std::initializer_list<std::string_view>;

// The value at `path` (object keys), or null when any step is missing or not an object.
const json* field(const json& j, Path path);
// Typed reads with a fallback when missing or of another type.
std::string str(const json& j, Path path, std::string fallback = "");
int64_t num(const json& j, Path path, int64_t fallback = 0);
bool flag(const json& j, Path path, bool fallback = false);
// True when the value exists and is not null.
bool has(const json& j, Path path);
// The array at `path`, or an empty array.
const json& array(const json& j, Path path);
// The object at `path`, or an empty object.
const json& object(const json& j, Path path);

// RFC 3339 timestamps ("2024-05-01T10:00:00Z", with optional fraction and offset).
std::optional<TimePoint> parse_time(std::string_view s);
// "2024-05-01T10:00:00Z" (seconds precision, UTC).
std::string format_time(TimePoint t);

// Kubernetes' HumanDuration: "15s", "3m20s", "2h5m", "2d3h", "400d", "3y10d", ...
std::string human_duration(std::chrono::nanoseconds d);
// Time since the timestamp at `path`, or "<unknown>" when it is missing or unparsable.
std::string since(const json& j, Path path, TimePoint now);
// The AGE cell: time since metadata.creationTimestamp.
std::string age(const json& obj, TimePoint now);

// "a=1,b=2" with keys sorted; "<none>" for an empty or missing map.
std::string format_labels(const json* labels);
// A metav1.LabelSelector as a selector string ("app=x,tier in (a,b),!gone"). Missing,
// null or empty selectors give "" (callers decide whether to print "<none>").
std::string label_selector_string(const json* selector);
// As label_selector_string, but "<none>" for an empty result.
std::string format_label_selector(const json* selector);

// Names and images of a container list joined by "," (the Containers / Images cells).
std::pair<std::string, std::string> container_cells(const json& containers);

std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string to_lower(std::string s);
std::string trim_space(std::string_view s);
// An int-or-string value (intstr.IntOrString.String()), or "" when missing.
std::string int_or_string(const json* v);
// A resource.Quantity as the server prints it; "0" when missing.
std::string quantity(const json* v);

}  // namespace kite::api::table
