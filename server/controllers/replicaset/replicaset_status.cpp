#include "server/controllers/replicaset/replicaset_status.h"

#include "api/selector/label_selector.h"
#include "base/ids.h"
#include "server/controllers/podcontrol/object_fields.h"
#include "server/controllers/podcontrol/pod_state.h"

namespace kite::controllers::replicaset {

using podcontrol::field;
using podcontrol::int_field;

namespace {

void set_count(json& status, const char* key, int64_t value) {
  if (value == 0) {
    status.erase(key);
  } else {
    status[key] = value;
  }
}

bool has_condition(const json& status, const std::string& type) {
  const json& conds = field(status, {"conditions"});
  if (!conds.is_array()) return false;
  for (const auto& c : conds)
    if (c.value("type", "") == type) return true;
  return false;
}

void remove_condition(json& status, const std::string& type) {
  if (!status.contains("conditions") || !status["conditions"].is_array()) return;
  json kept = json::array();
  for (const auto& c : status["conditions"])
    if (c.value("type", "") != type) kept.push_back(c);
  if (kept.empty()) {
    status.erase("conditions");
  } else {
    status["conditions"] = std::move(kept);
  }
}

}  // namespace

json calculate_status(const json& rs, const std::vector<client::ObjectPtr>& pods, const base::Status& manage_error,
                      std::chrono::system_clock::time_point now) {
  json status = field(rs, {"status"});
  if (!status.is_object()) status = json::object();
  const int64_t min_ready = int_field(rs, {"spec", "minReadySeconds"}, 0);
  auto template_labels = api::LabelSelector::from_set(field(rs, {"spec", "template", "metadata", "labels"}));
  int64_t fully_labeled = 0, ready = 0, available = 0;
  for (const auto& pod : pods) {
    if (template_labels.matches(podcontrol::labels_of(*pod))) ++fully_labeled;
    if (podcontrol::is_pod_ready(*pod)) {
      ++ready;
      if (podcontrol::is_pod_available(*pod, min_ready, now)) ++available;
    }
  }
  const bool has_failure = has_condition(status, "ReplicaFailure");
  if (!manage_error.is_ok() && !has_failure) {
    int64_t diff = static_cast<int64_t>(pods.size()) - int_field(rs, {"spec", "replicas"}, 1);
    std::string reason = diff < 0 ? "FailedCreate" : diff > 0 ? "FailedDelete" : "";
    if (!status.contains("conditions") || !status["conditions"].is_array()) status["conditions"] = json::array();
    status["conditions"].push_back({{"type", "ReplicaFailure"},
                                    {"status", "True"},
                                    {"lastTransitionTime", base::rfc3339(now)},
                                    {"reason", reason},
                                    {"message", manage_error.message()}});
  } else if (manage_error.is_ok() && has_failure) {
    remove_condition(status, "ReplicaFailure");
  }
  status["replicas"] = static_cast<int64_t>(pods.size());  // required: written even when 0
  set_count(status, "fullyLabeledReplicas", fully_labeled);
  set_count(status, "readyReplicas", ready);
  set_count(status, "availableReplicas", available);
  return status;
}

base::Result<json> update_status(client::Client& client, const json& rs, json status) {
  const json& old = field(rs, {"status"});
  const int64_t generation = podcontrol::generation_of(rs);
  if (int_field(old, {"observedGeneration"}, 0) == generation && podcontrol::status_equal(old, status)) {
    return rs;
  }
  set_count(status, "observedGeneration", generation);
  json current = rs;
  for (int attempt = 0;; ++attempt) {
    current["status"] = status;
    auto updated = client.update(client::resources::kReplicaSets, current, "status");
    if (updated) return updated;
    if (attempt >= 1) return updated;
    auto fresh = client.get(client::resources::kReplicaSets, podcontrol::namespace_of(rs), podcontrol::name_of(rs));
    if (!fresh) return fresh;
    current = std::move(*fresh);
  }
}

}  // namespace kite::controllers::replicaset
