#include "api/conversion/event_conversion.h"

#include <string>
#include <utility>

namespace kite::api {

using json = nlohmann::json;

namespace {

// (core/v1 field, events.k8s.io/v1 field) for every field the two shapes share.
const std::pair<const char*, const char*> kFields[] = {
    {"involvedObject", "regarding"},
    {"message", "note"},
    {"reportingComponent", "reportingController"},
    {"reportingInstance", "reportingInstance"},
    {"source", "deprecatedSource"},
    {"firstTimestamp", "deprecatedFirstTimestamp"},
    {"lastTimestamp", "deprecatedLastTimestamp"},
    {"count", "deprecatedCount"},
    {"eventTime", "eventTime"},
    {"series", "series"},
    {"action", "action"},
    {"reason", "reason"},
    {"related", "related"},
    {"type", "type"},
};

json convert(const json& in, bool to_v1) {
  json out = json::object();
  out["apiVersion"] = to_v1 ? "events.k8s.io/v1" : "v1";
  out["kind"] = "Event";
  if (in.contains("metadata")) out["metadata"] = in["metadata"];
  for (const auto& [core, v1] : kFields) {
    const char* from = to_v1 ? core : v1;
    const char* to = to_v1 ? v1 : core;
    if (in.contains(from) && !in[from].is_null()) out[to] = in[from];
  }
  return out;
}

}  // namespace

json core_event_to_events_v1(const json& core) { return convert(core, true); }
json events_v1_to_core_event(const json& v1) { return convert(v1, false); }

std::string events_v1_field_to_core(const std::string& path) {
  for (const auto& [core, v1] : kFields) {
    std::string prefix = v1;
    if (path == prefix) return core;
    if (path.starts_with(prefix + ".")) return std::string(core) + path.substr(prefix.size());
  }
  return path;
}

}  // namespace kite::api
