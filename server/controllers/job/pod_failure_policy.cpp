#include "server/controllers/job/pod_failure_policy.h"

namespace kite::controllers::job {
namespace {

std::optional<json> matching_container(const json& statuses, const json& req) {
  if (!statuses.is_array()) return std::nullopt;
  const bool any_container = !req.contains("containerName") || req["containerName"].is_null();
  const std::string op = req.value("operator", "");
  const json values = req.value("values", json::array());
  for (const auto& cs : statuses) {
    const json::json_pointer term("/state/terminated");
    if (!cs.contains(term) || !cs.at(term).is_object()) continue;
    if (!any_container && cs.value("name", "") != req["containerName"].get<std::string>()) continue;
    int64_t code = cs.at(term).value("exitCode", int64_t{0});
    if (code == 0) continue;
    bool in = false;
    for (const auto& v : values)
      if (v.is_number_integer() && v.get<int64_t>() == code) in = true;
    if ((op == "In" && in) || (op == "NotIn" && !in)) return cs;
  }
  return std::nullopt;
}

std::optional<json> matching_condition(const json& status, const json& patterns) {
  if (!status.contains("conditions") || !status["conditions"].is_array() || !patterns.is_array()) return std::nullopt;
  for (const auto& c : status["conditions"]) {
    for (const auto& p : patterns) {
      if (c.value("type", "") == p.value("type", "") && c.value("status", "") == p.value("status", "True")) return c;
    }
  }
  return std::nullopt;
}

}  // namespace

PolicyMatch match_pod_failure_policy(const json& policy, const json& pod) {
  PolicyMatch out;
  if (!policy.is_object() || !policy.contains("rules") || !policy["rules"].is_array()) return out;
  const json status = pod.value("status", json::object());
  const json meta = pod.value("metadata", json::object());
  const std::string pod_ref = meta.value("namespace", "") + "/" + meta.value("name", "");
  int index = 0;
  for (const auto& rule : policy["rules"]) {
    const std::string action = rule.value("action", "");
    std::optional<std::string> message;
    bool matched = false;
    if (rule.contains("onExitCodes") && rule["onExitCodes"].is_object()) {
      const json& req = rule["onExitCodes"];
      auto cs = matching_container(status.value("containerStatuses", json::array()), req);
      if (!cs) cs = matching_container(status.value("initContainerStatuses", json::array()), req);
      if (cs) {
        matched = true;
        message = "Container " + cs->value("name", "") + " for pod " + pod_ref + " failed with exit code " +
                  std::to_string(cs->at("state").at("terminated").value("exitCode", int64_t{0})) + " matching " +
                  action + " rule at index " + std::to_string(index);
      }
    } else if (rule.contains("onPodConditions") && rule["onPodConditions"].is_array()) {
      if (auto c = matching_condition(status, rule["onPodConditions"])) {
        matched = true;
        message = "Pod " + pod_ref + " has condition " + c->value("type", "") + " matching " + action +
                  " rule at index " + std::to_string(index);
      }
    }
    ++index;
    if (!matched) continue;
    if (action == "Ignore") return {std::nullopt, false, action};
    // FailIndex never gets here: the API server refuses it (it needs backoffLimitPerIndex,
    // which kite does not implement).
    if (action == "Count") return {std::nullopt, true, action};
    if (action == "FailJob") return {message, true, action};
    // An unknown action does not decide; try the next rule (as upstream's switch falls out).
  }
  return out;
}

}  // namespace kite::controllers::job
