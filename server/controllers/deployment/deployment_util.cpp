#include "server/controllers/deployment/deployment_util.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/ids.h"
#include "server/controllers/podcontrol/object_fields.h"

namespace kite::controllers::deployment {

using podcontrol::field;
using podcontrol::int_field;
using podcontrol::string_field;

std::string safe_encode(const std::string& s) {
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  constexpr size_t n = sizeof(kAlphabet) - 1;
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) out.push_back(kAlphabet[c % n]);
  return out;
}

std::string compute_hash(const json& pod_template, std::optional<int64_t> collision_count) {
  uint32_t h = 2166136261u;
  auto write = [&h](const unsigned char* p, size_t len) {
    for (size_t i = 0; i < len; ++i) {
      h ^= p[i];
      h *= 16777619u;
    }
  };
  // nlohmann keeps object keys sorted, so the dump is a canonical rendering of the template.
  const std::string text = podcontrol::semantic_normal_form(pod_template).dump();
  write(reinterpret_cast<const unsigned char*>(text.data()), text.size());
  if (collision_count) {
    uint32_t c = static_cast<uint32_t>(*collision_count);
    unsigned char bytes[8] = {static_cast<unsigned char>(c), static_cast<unsigned char>(c >> 8),
                              static_cast<unsigned char>(c >> 16), static_cast<unsigned char>(c >> 24), 0, 0, 0, 0};
    write(bytes, sizeof(bytes));
  }
  return safe_encode(std::to_string(h));
}

bool equal_ignore_hash(const json& a, const json& b) {
  json x = a, y = b;
  for (json* t : {&x, &y}) {
    if (t->is_object() && t->contains("metadata") && (*t)["metadata"].is_object() &&
        (*t)["metadata"].contains("labels") && (*t)["metadata"]["labels"].is_object()) {
      (*t)["metadata"]["labels"].erase(kHashLabel);
    }
  }
  return podcontrol::semantically_equal(x, y);
}

int64_t replicas_of(const json& obj) { return int_field(obj, {"spec", "replicas"}, 1); }

bool is_rolling_update(const json& d) {
  return string_field(d, {"spec", "strategy", "type"}, "RollingUpdate") == "RollingUpdate";
}

bool has_progress_deadline(const json& d) {
  const json& v = field(d, {"spec", "progressDeadlineSeconds"});
  return v.is_number_integer() && v.get<int64_t>() != std::numeric_limits<int32_t>::max();
}

bool has_revision_history_limit(const json& d) {
  const json& v = field(d, {"spec", "revisionHistoryLimit"});
  return v.is_number_integer() && v.get<int64_t>() != std::numeric_limits<int32_t>::max();
}

base::Result<int64_t> scaled_value(const json& v, int64_t total, bool round_up) {
  if (v.is_null()) return 0;
  if (v.is_number_integer()) return v.get<int64_t>();
  if (!v.is_string()) return base::error(base::Reason::Invalid, "invalid value for IntOrString: " + v.dump());
  std::string s = v.get<std::string>();
  if (s.empty() || s.back() != '%') {
    return base::error(base::Reason::Invalid, "invalid value for IntOrString: invalid type: string is not a percentage");
  }
  int64_t pct = 0;
  try {
    size_t used = 0;
    pct = std::stoll(s.substr(0, s.size() - 1), &used);
    if (used != s.size() - 1) throw std::invalid_argument(s);
  } catch (...) {
    return base::error(base::Reason::Invalid, "invalid value \"" + s + "\"");
  }
  double scaled = static_cast<double>(pct) * static_cast<double>(total) / 100.0;
  return static_cast<int64_t>(round_up ? std::ceil(scaled) : std::floor(scaled));
}

namespace {

// Kubernetes' ResolveFenceposts.
std::pair<int64_t, int64_t> fenceposts(const json& d) {
  const json& ru = field(d, {"spec", "strategy", "rollingUpdate"});
  const int64_t desired = replicas_of(d);
  int64_t surge = scaled_value(field(ru, {"maxSurge"}), desired, true).value_or(0);
  int64_t unavailable = scaled_value(field(ru, {"maxUnavailable"}), desired, false).value_or(0);
  if (surge == 0 && unavailable == 0) unavailable = 1;
  return {surge, unavailable};
}

time_point creation_of(const json& obj) {
  return podcontrol::time_field(obj, {"metadata", "creationTimestamp"}).value_or(time_point{});
}

}  // namespace

int64_t max_surge(const json& d) {
  if (!is_rolling_update(d)) return 0;
  return fenceposts(d).first;
}

int64_t max_unavailable(const json& d) {
  if (!is_rolling_update(d) || replicas_of(d) == 0) return 0;
  return std::min(fenceposts(d).second, replicas_of(d));
}

int64_t revision_of(const json& obj) {
  return int_annotation(obj, kRevisionAnnotation).value_or(0);
}

int64_t max_revision(const std::vector<json>& rss) {
  int64_t m = 0;
  for (const auto& rs : rss) m = std::max(m, revision_of(rs));
  return m;
}

std::optional<int64_t> int_annotation(const json& obj, const char* key) {
  const json& v = field(obj, {"metadata", "annotations", key});
  if (!v.is_string()) return std::nullopt;
  try {
    size_t used = 0;
    int64_t n = std::stoll(v.get<std::string>(), &used);
    if (used != v.get<std::string>().size()) return std::nullopt;
    return n;
  } catch (...) {
    return std::nullopt;
  }
}

namespace {

bool skip_copy_annotation(const std::string& key) {
  return key == "kubectl.kubernetes.io/last-applied-configuration" || key == kRevisionAnnotation ||
         key == kRevisionHistoryAnnotation || key == kDesiredReplicasAnnotation || key == kMaxReplicasAnnotation ||
         key == "deprecated.deployment.rollback.to";
}

json& annotations(json& obj) {
  json& meta = obj["metadata"];
  if (!meta.contains("annotations") || !meta["annotations"].is_object()) meta["annotations"] = json::object();
  return meta["annotations"];
}

}  // namespace

bool set_new_rs_annotations(const json& d, json& rs, int64_t new_revision, bool exists) {
  bool changed = false;
  const json& d_annotations = field(d, {"metadata", "annotations"});
  json& a = annotations(rs);
  if (d_annotations.is_object()) {
    for (auto it = d_annotations.begin(); it != d_annotations.end(); ++it) {
      if (skip_copy_annotation(it.key())) continue;
      if (a.contains(it.key()) && a[it.key()] == it.value()) continue;
      a[it.key()] = it.value();
      changed = true;
    }
  }
  const bool had_revision = a.contains(kRevisionAnnotation) && a[kRevisionAnnotation].is_string();
  const std::string old_revision = had_revision ? a[kRevisionAnnotation].get<std::string>() : "";
  int64_t old_revision_int = 0;
  if (!old_revision.empty()) {
    auto parsed = int_annotation(rs, kRevisionAnnotation);
    if (!parsed) return false;  // upstream leaves an unparsable revision alone
    old_revision_int = *parsed;
  }
  if (old_revision_int < new_revision) {
    a[kRevisionAnnotation] = std::to_string(new_revision);
    changed = true;
    if (had_revision) {
      // Rolling back to this ReplicaSet: keep its old revisions for `rollout history`.
      std::string history = a.contains(kRevisionHistoryAnnotation) && a[kRevisionHistoryAnnotation].is_string()
                                ? a[kRevisionHistoryAnnotation].get<std::string>()
                                : "";
      if (history.empty()) {
        a[kRevisionHistoryAnnotation] = old_revision;
      } else {
        std::vector<std::string> parts;
        size_t start = 0;
        while (true) {
          size_t comma = history.find(',', start);
          parts.push_back(history.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
        size_t total = history.size() + old_revision.size() + 1;
        size_t first = 0;
        while (total > kMaxRevisionHistoryChars && first < parts.size()) total -= parts[first++].size() + 1;
        if (total <= kMaxRevisionHistoryChars) {
          std::string joined;
          for (size_t i = first; i < parts.size(); ++i) joined += parts[i] + ",";
          a[kRevisionHistoryAnnotation] = joined + old_revision;
        }
      }
    }
  }
  if (!exists && set_replicas_annotations(rs, replicas_of(d), replicas_of(d) + max_surge(d))) changed = true;
  return changed;
}

bool set_replicas_annotations(json& rs, int64_t desired, int64_t max_replicas) {
  bool changed = false;
  json& a = annotations(rs);
  for (auto [key, value] : {std::pair{kDesiredReplicasAnnotation, desired}, std::pair{kMaxReplicasAnnotation, max_replicas}}) {
    std::string text = std::to_string(value);
    if (!a.contains(key) || a[key] != text) {
      a[key] = text;
      changed = true;
    }
  }
  return changed;
}

bool replicas_annotations_need_update(const json& rs, int64_t desired, int64_t max_replicas) {
  return string_field(rs, {"metadata", "annotations", kDesiredReplicasAnnotation}) != std::to_string(desired) ||
         string_field(rs, {"metadata", "annotations", kMaxReplicasAnnotation}) != std::to_string(max_replicas);
}

bool set_deployment_revision(json& d, const std::string& revision) {
  json& a = annotations(d);
  if (a.contains(kRevisionAnnotation) && a[kRevisionAnnotation] == revision) return false;
  a[kRevisionAnnotation] = revision;
  return true;
}

int64_t sum_spec_replicas(const std::vector<json>& rss) {
  int64_t n = 0;
  for (const auto& rs : rss) n += replicas_of(rs);
  return n;
}

int64_t sum_status(const std::vector<json>& rss, const char* name) {
  int64_t n = 0;
  for (const auto& rs : rss) n += int_field(rs, {"status", name}, 0);
  return n;
}

std::vector<json> active_replicasets(const std::vector<json>& rss) {
  std::vector<json> out;
  for (const auto& rs : rss)
    if (replicas_of(rs) > 0) out.push_back(rs);
  return out;
}

bool is_saturated(const json& d, const std::optional<json>& new_rs) {
  if (!new_rs) return false;
  auto desired = int_annotation(*new_rs, kDesiredReplicasAnnotation);
  return desired && replicas_of(*new_rs) == replicas_of(d) && *desired == replicas_of(d) &&
         int_field(*new_rs, {"status", "availableReplicas"}) == replicas_of(d);
}

base::Result<int64_t> new_rs_new_replicas(const json& d, const std::vector<json>& all_rs, const json& new_rs) {
  const std::string type = string_field(d, {"spec", "strategy", "type"}, "RollingUpdate");
  if (type == "Recreate") return replicas_of(d);
  if (type != "RollingUpdate") {
    return base::error(base::Reason::Invalid, "deployment type " + type + " isn't supported");
  }
  auto surge = scaled_value(field(d, {"spec", "strategy", "rollingUpdate", "maxSurge"}), replicas_of(d), true);
  if (!surge) return surge;
  const int64_t current = sum_spec_replicas(all_rs);
  const int64_t max_total = replicas_of(d) + *surge;
  if (current >= max_total) return replicas_of(new_rs);
  int64_t scale_up = std::min(max_total - current, replicas_of(d) - replicas_of(new_rs));
  return replicas_of(new_rs) + scale_up;
}

int64_t proportion(const json& rs, const json& d, int64_t to_add, int64_t added) {
  if (replicas_of(rs) == 0 || to_add == 0 || to_add == added) return 0;
  int64_t fraction;
  if (replicas_of(d) == 0) {
    fraction = -replicas_of(rs);
  } else {
    const int64_t deployment_replicas = replicas_of(d) + max_surge(d);
    int64_t annotated = int_annotation(rs, kMaxReplicasAnnotation).value_or(int_field(d, {"status", "replicas"}, 0));
    if (annotated == 0) return 0;  // never scale proportionally from zero
    double size = static_cast<double>(replicas_of(rs) * deployment_replicas) / static_cast<double>(annotated);
    fraction = static_cast<int64_t>(std::round(size)) - replicas_of(rs);
  }
  const int64_t allowed = to_add - added;
  return to_add > 0 ? std::min(fraction, allowed) : std::max(fraction, allowed);
}

json new_condition(const std::string& type, const std::string& status, const std::string& reason,
                   const std::string& message, time_point now) {
  std::string t = base::rfc3339(now);
  return json{{"type", type},          {"status", status},  {"lastUpdateTime", t},
              {"lastTransitionTime", t}, {"reason", reason}, {"message", message}};
}

const json* get_condition(const json& status, const std::string& type) {
  const json& conds = field(status, {"conditions"});
  if (!conds.is_array()) return nullptr;
  for (const auto& c : conds)
    if (c.value("type", "") == type) return &c;
  return nullptr;
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

void set_condition(json& status, json condition) {
  const std::string type = condition.value("type", "");
  if (const json* current = get_condition(status, type)) {
    if (current->value("status", "") == condition.value("status", "") &&
        current->value("reason", "") == condition.value("reason", "")) {
      return;
    }
    if (current->value("status", "") == condition.value("status", "") && current->contains("lastTransitionTime")) {
      condition["lastTransitionTime"] = (*current)["lastTransitionTime"];
    }
  }
  remove_condition(status, type);
  if (!status.contains("conditions") || !status["conditions"].is_array()) status["conditions"] = json::array();
  status["conditions"].push_back(std::move(condition));
}

bool deployment_complete(const json& d, const json& s) {
  const int64_t want = replicas_of(d);
  return int_field(s, {"updatedReplicas"}) == want && int_field(s, {"replicas"}) == want &&
         int_field(s, {"availableReplicas"}) == want &&
         int_field(s, {"observedGeneration"}) >= podcontrol::generation_of(d);
}

bool deployment_progressing(const json& d, const json& s) {
  const json& old = field(d, {"status"});
  const int64_t old_old = int_field(old, {"replicas"}) - int_field(old, {"updatedReplicas"});
  const int64_t new_old = int_field(s, {"replicas"}) - int_field(s, {"updatedReplicas"});
  return int_field(s, {"updatedReplicas"}) > int_field(old, {"updatedReplicas"}) || new_old < old_old ||
         int_field(s, {"readyReplicas"}) > int_field(old, {"readyReplicas"}) ||
         int_field(s, {"availableReplicas"}) > int_field(old, {"availableReplicas"});
}

bool deployment_timed_out(const json& d, const json& s, time_point now) {
  if (!has_progress_deadline(d)) return false;
  const json* cond = get_condition(s, "Progressing");
  if (!cond) return false;
  const std::string reason = cond->value("reason", "");
  if (reason == kReasonNewRSAvailable) return false;
  if (reason == kReasonTimedOut) return true;
  auto from = podcontrol::time_field(*cond, {"lastUpdateTime"});
  if (!from) return false;
  return *from + std::chrono::seconds(int_field(d, {"spec", "progressDeadlineSeconds"})) < now;
}

void sort_by_creation(std::vector<json>& rss) {
  std::stable_sort(rss.begin(), rss.end(), [](const json& a, const json& b) {
    auto ta = creation_of(a), tb = creation_of(b);
    if (ta == tb) return podcontrol::name_of(a) < podcontrol::name_of(b);
    return ta < tb;
  });
}


namespace {
bool created_before(const json& a, const json& b) {
  auto ta = creation_of(a), tb = creation_of(b);
  if (ta == tb) return podcontrol::name_of(a) < podcontrol::name_of(b);
  return ta < tb;
}
}  // namespace

void sort_by_size_newer(std::vector<json>& rss) {
  std::stable_sort(rss.begin(), rss.end(), [](const json& a, const json& b) {
    if (replicas_of(a) == replicas_of(b)) return creation_of(b) < creation_of(a);
    return replicas_of(a) > replicas_of(b);
  });
}

void sort_by_size_older(std::vector<json>& rss) {
  std::stable_sort(rss.begin(), rss.end(), [](const json& a, const json& b) {
    if (replicas_of(a) == replicas_of(b)) return created_before(a, b);
    return replicas_of(a) > replicas_of(b);
  });
}

void sort_by_revision(std::vector<json>& rss) {
  std::stable_sort(rss.begin(), rss.end(), [](const json& a, const json& b) {
    if (revision_of(a) == revision_of(b)) return created_before(a, b);
    return revision_of(a) < revision_of(b);
  });
}

}  // namespace kite::controllers::deployment
