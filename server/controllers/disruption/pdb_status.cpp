#include "server/controllers/disruption/pdb_status.h"

#include <map>

#include "base/ids.h"

namespace kite::controllers::disruption {

namespace {

bool pod_ready(const json& pod) {
  for (const auto& c : pod.value("status", json::object()).value("conditions", json::array())) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

const json* controller_ref(const json& pod) {
  const json& meta = pod["metadata"];
  auto refs = meta.find("ownerReferences");
  if (refs == meta.end() || !refs->is_array()) return nullptr;
  for (const auto& r : *refs) {
    if (r.value("controller", false)) return &r;
  }
  return nullptr;
}

base::Result<int64_t> expected_scale(const std::vector<client::ObjectPtr>& pods, const ScaleLookup& scale) {
  std::map<std::string, int64_t> by_controller;
  std::map<std::string, bool> seen_refs;
  for (const auto& p : pods) {
    const json* ref = controller_ref(*p);
    if (!ref) continue;  // unmanaged pods do not count
    std::string ref_uid = ref->value("uid", "");
    if (seen_refs.contains(ref_uid)) continue;
    seen_refs[ref_uid] = true;
    auto s = scale((*p)["metadata"].value("namespace", ""), *ref);
    if (!s) return std::unexpected(s.error());
    if (!*s) {
      return base::error(base::Reason::NotFound,
                         "found no controllers for pod \"" + (*p)["metadata"].value("name", "") + "\"");
    }
    by_controller[(*s)->uid] = (*s)->replicas;
  }
  int64_t total = 0;
  for (const auto& [uid, n] : by_controller) total += n;
  return total;
}

}  // namespace

base::Result<int64_t> scaled_value(const json& v, int64_t total, bool round_up) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (!s.empty() && s.back() == '%' && s.size() > 1 &&
        s.substr(0, s.size() - 1).find_first_not_of("0123456789") == std::string::npos) {
      int64_t pct = std::stoll(s.substr(0, s.size() - 1));
      return round_up ? (pct * total + 99) / 100 : (pct * total) / 100;
    }
    if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos) return std::stoll(s);
  }
  return base::error(base::Reason::BadRequest, "invalid value for IntOrString: invalid type: string is not a percentage");
}

base::Result<PdbCounts> compute_counts(const json& pdb, const std::vector<client::ObjectPtr>& pods,
                                       const ScaleLookup& scale, time_point now) {
  PdbCounts c;
  const json spec = pdb.value("spec", json::object());
  if (spec.contains("maxUnavailable") && !spec["maxUnavailable"].is_null()) {
    auto expected = expected_scale(pods, scale);
    if (!expected) return std::unexpected(expected.error());
    c.expected = *expected;
    auto max = scaled_value(spec["maxUnavailable"], c.expected, true);
    if (!max) return std::unexpected(max.error());
    c.desired_healthy = std::max<int64_t>(0, c.expected - *max);
  } else if (spec.contains("minAvailable") && !spec["minAvailable"].is_null()) {
    if (spec["minAvailable"].is_number_integer()) {
      c.desired_healthy = spec["minAvailable"].get<int64_t>();
      c.expected = static_cast<int64_t>(pods.size());
    } else {
      auto expected = expected_scale(pods, scale);
      if (!expected) return std::unexpected(expected.error());
      c.expected = *expected;
      auto min = scaled_value(spec["minAvailable"], c.expected, true);
      if (!min) return std::unexpected(min.error());
      c.desired_healthy = *min;
    }
  }
  // disruptedPods: entries of pods still there, not yet deleted, and not expired.
  json disrupted = pdb.value("status", json::object()).value("disruptedPods", json::object());
  if (!disrupted.is_object()) disrupted = json::object();
  for (const auto& p : pods) {
    const json& pod = *p;
    std::string name = pod["metadata"].value("name", "");
    if (pod["metadata"].contains("deletionTimestamp")) continue;
    if (disrupted.contains(name)) {
      time_point when{};
      if (disrupted[name].is_string() && base::parse_rfc3339(disrupted[name].get<std::string>(), &when) &&
          when + kDeletionTimeout > now) {
        c.disrupted_pods[name] = disrupted[name];
        continue;  // being evicted: not healthy
      }
    }
    if (pod_ready(pod)) ++c.current_healthy;
  }
  c.disruptions_allowed = c.current_healthy - c.desired_healthy;
  if (c.expected <= 0 || c.disruptions_allowed <= 0) c.disruptions_allowed = 0;
  return c;
}

json status_for(const json& pdb, const PdbCounts& counts, const std::string& failure, time_point now) {
  json status = pdb.value("status", json::object());
  if (!status.is_object()) status = json::object();
  int64_t generation = pdb["metadata"].value("generation", int64_t{0});
  status["observedGeneration"] = generation;
  status["currentHealthy"] = counts.current_healthy;
  status["desiredHealthy"] = counts.desired_healthy;
  status["expectedPods"] = counts.expected;
  status["disruptionsAllowed"] = failure.empty() ? counts.disruptions_allowed : 0;
  if (failure.empty()) {
    if (counts.disrupted_pods.empty()) {
      status.erase("disruptedPods");
    } else {
      status["disruptedPods"] = counts.disrupted_pods;
    }
  }
  std::string cond_status = "False";
  std::string reason = "InsufficientPods";
  std::string message;
  if (!failure.empty()) {
    reason = "SyncFailed";
    message = failure;
  } else if (counts.disruptions_allowed > 0) {
    cond_status = "True";
    reason = "SufficientPods";
  }
  json conds = status.value("conditions", json::array());
  if (!conds.is_array()) conds = json::array();
  json cond = {{"type", "DisruptionAllowed"},
               {"status", cond_status},
               {"reason", reason},
               {"message", message},
               {"observedGeneration", generation},
               {"lastTransitionTime", base::rfc3339(now)}};
  bool found = false;
  for (auto& c : conds) {
    if (c.value("type", "") != "DisruptionAllowed") continue;
    found = true;
    if (c.value("status", "") == cond_status && c.contains("lastTransitionTime")) {
      cond["lastTransitionTime"] = c["lastTransitionTime"];
    }
    c = cond;
  }
  if (!found) conds.push_back(cond);
  status["conditions"] = conds;
  return status;
}

std::optional<time_point> next_expiry(const json& disrupted_pods) {
  std::optional<time_point> out;
  for (const auto& [name, when_s] : disrupted_pods.items()) {
    time_point when{};
    if (!when_s.is_string() || !base::parse_rfc3339(when_s.get<std::string>(), &when)) continue;
    auto expiry = when + kDeletionTimeout;
    if (!out || expiry < *out) out = expiry;
  }
  return out;
}

}  // namespace kite::controllers::disruption
