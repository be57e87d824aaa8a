#include "server/controllers/podcontrol/pod_state.h"

#include "base/ids.h"
#include "server/controllers/podcontrol/object_fields.h"

namespace kite::controllers::podcontrol {
namespace {

const json* ready_condition(const json& pod) {
  const json& conds = field(pod, {"status", "conditions"});
  if (!conds.is_array()) return nullptr;
  for (const auto& c : conds) {
    if (c.is_object() && c.value("type", "") == "Ready") return &c;
  }
  return nullptr;
}

}  // namespace

bool is_pod_active(const json& pod) {
  std::string phase = string_field(pod, {"status", "phase"});
  return phase != "Succeeded" && phase != "Failed" && !has_deletion_timestamp(pod);
}

bool is_pod_ready(const json& pod) {
  const json* c = ready_condition(pod);
  return c && c->value("status", "") == "True";
}

std::optional<std::chrono::system_clock::time_point> pod_ready_time(const json& pod) {
  if (!is_pod_ready(pod)) return std::nullopt;
  return time_field(*ready_condition(pod), {"lastTransitionTime"});
}

bool is_pod_available(const json& pod, int64_t min_ready_seconds, std::chrono::system_clock::time_point now) {
  if (!is_pod_ready(pod)) return false;
  if (min_ready_seconds == 0) return true;
  auto since = pod_ready_time(pod);
  return since && *since + std::chrono::seconds(min_ready_seconds) < now;
}

std::string pod_key(const json& pod) { return namespace_of(pod) + "/" + name_of(pod); }

}  // namespace kite::controllers::podcontrol
