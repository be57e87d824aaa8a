#include "server/controllers/job/job_conditions.h"

namespace kite::controllers::job {
namespace {

json new_condition(const std::string& type, const std::string& cstatus, const std::string& reason,
                   const std::string& message, const std::string& now) {
  json c = {{"type", type}, {"status", cstatus}, {"lastProbeTime", now}, {"lastTransitionTime", now}};
  if (!reason.empty()) c["reason"] = reason;
  if (!message.empty()) c["message"] = message;
  return c;
}

}  // namespace

const json* find_true_condition(const json& status, const std::string& type) {
  if (!status.is_object() || !status.contains("conditions") || !status["conditions"].is_array()) return nullptr;
  for (const auto& c : status["conditions"])
    if (c.value("type", "") == type && c.value("status", "") == "True") return &c;
  return nullptr;
}

bool job_finished(const json& status) {
  return find_true_condition(status, "Complete") != nullptr || find_true_condition(status, "Failed") != nullptr;
}

bool ensure_condition(json& status, const std::string& type, const std::string& cstatus, const std::string& reason,
                      const std::string& message, const std::string& now) {
  json& conds = status["conditions"];
  if (!conds.is_array()) conds = json::array();
  for (auto& c : conds) {
    if (c.value("type", "") != type) continue;
    if (c.value("status", "") != cstatus || c.value("reason", "") != reason || c.value("message", "") != message) {
      c = new_condition(type, cstatus, reason, message, now);
      return true;
    }
    return false;
  }
  if (cstatus != "False") {
    conds.push_back(new_condition(type, cstatus, reason, message, now));
    return true;
  }
  if (conds.empty()) status.erase("conditions");
  return false;
}

void append_condition(json& status, const std::string& type, const std::string& reason, const std::string& message,
                      const std::string& now) {
  json& conds = status["conditions"];
  if (!conds.is_array()) conds = json::array();
  conds.push_back(new_condition(type, "True", reason, message, now));
}

void normalize_status(json& status) {
  for (const char* f : {"active", "succeeded", "failed"})
    if (status.contains(f) && status[f].is_number_integer() && status[f].get<int64_t>() == 0) status.erase(f);
  if (status.contains("completedIndexes") && status["completedIndexes"] == "") status.erase("completedIndexes");
  json& u = status["uncountedTerminatedPods"];
  if (!u.is_object()) u = json::object();
  for (const char* f : {"succeeded", "failed"})
    if (u.contains(f) && (!u[f].is_array() || u[f].empty())) u.erase(f);
}

}  // namespace kite::controllers::job
