// Job status conditions and counters as the upstream Job controller writes them. Pure
// functions on the status JSON; thread-safe.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace kite::controllers::job {

using json = nlohmann::json;

// The condition of `type` with status "True", or null.
const json* find_true_condition(const json& status, const std::string& type);
// Complete=True or Failed=True.
bool job_finished(const json& status);
// Upstream ensureJobConditionStatus: updates an existing condition of `type` when its status,
// reason or message differ (new transition time), appends it when missing unless `cstatus` is
// "False". True when the status changed.
bool ensure_condition(json& status, const std::string& type, const std::string& cstatus, const std::string& reason,
                      const std::string& message, const std::string& now);
// Appends a condition (no check for an existing one).
void append_condition(json& status, const std::string& type, const std::string& reason, const std::string& message,
                      const std::string& now);
// Drops counters that are zero (active/succeeded/failed are omitempty in batch/v1).
void normalize_status(json& status);

}  // namespace kite::controllers::job
