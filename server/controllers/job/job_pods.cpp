#include "server/controllers/job/job_pods.h"

#include <algorithm>

#include "base/ids.h"

namespace kite::controllers::job {

std::optional<time_point> read_time(const json& obj, const json::json_pointer& ptr) {
  if (!obj.contains(ptr) || !obj.at(ptr).is_string()) return std::nullopt;
  time_point t;
  if (!base::parse_rfc3339(obj.at(ptr).get<std::string>(), &t)) return std::nullopt;
  return t;
}

std::string pod_phase(const json& pod) {
  const json::json_pointer p("/status/phase");
  return pod.contains(p) && pod.at(p).is_string() ? pod.at(p).get<std::string>() : "";
}

bool is_terminating(const json& pod) {
  const auto& meta = pod.value("metadata", json::object());
  return meta.contains("deletionTimestamp") && !meta["deletionTimestamp"].is_null();
}

bool is_active(const json& pod) {
  std::string phase = pod_phase(pod);
  return phase != "Succeeded" && phase != "Failed" && !is_terminating(pod);
}

bool is_ready(const json& pod) {
  const json::json_pointer p("/status/conditions");
  if (!pod.contains(p) || !pod.at(p).is_array()) return false;
  for (const auto& c : pod.at(p))
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  return false;
}

bool has_tracking_finalizer(const json& pod) {
  const json::json_pointer p("/metadata/finalizers");
  if (!pod.contains(p) || !pod.at(p).is_array()) return false;
  for (const auto& f : pod.at(p))
    if (f.is_string() && f.get<std::string>() == kTrackingFinalizer) return true;
  return false;
}

bool only_replace_failed_pods(const json& job) {
  const auto& spec = job.value("spec", json::object());
  if (spec.value("podReplacementPolicy", "") == "Failed") return true;
  return spec.contains("podFailurePolicy") && !spec["podFailurePolicy"].is_null();
}

bool is_pod_failed(const json& pod, const json& job) {
  std::string phase = pod_phase(pod);
  if (phase == "Failed") return true;
  if (only_replace_failed_pods(job)) return false;
  return is_terminating(pod) && phase != "Succeeded";
}

int completion_index(const json& pod) {
  const json::json_pointer p("/metadata/annotations");
  if (!pod.contains(p) || !pod.at(p).is_object()) return -1;
  const auto& a = pod.at(p);
  auto it = a.find(kCompletionIndexKey);
  if (it == a.end() || !it->is_string()) return -1;
  const std::string s = it->get<std::string>();
  if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return -1;
  return std::stoi(s);
}

time_point finished_time(const json& pod) {
  std::optional<time_point> latest;
  const json::json_pointer statuses("/status/containerStatuses");
  if (pod.contains(statuses) && pod.at(statuses).is_array()) {
    for (const auto& cs : pod.at(statuses)) {
      auto t = read_time(cs, json::json_pointer("/state/terminated/finishedAt"));
      if (t && (!latest || *t > *latest)) latest = t;
    }
  }
  if (latest) return *latest;
  const json::json_pointer conds("/status/conditions");
  if (pod.contains(conds) && pod.at(conds).is_array()) {
    for (const auto& c : pod.at(conds)) {
      if (c.value("type", "") == "Ready" && c.value("status", "") == "False") {
        if (auto t = read_time(c, json::json_pointer("/lastTransitionTime"))) return *t;
      }
    }
  }
  if (auto t = read_time(pod, json::json_pointer("/metadata/deletionTimestamp"))) return *t;
  return read_time(pod, json::json_pointer("/metadata/creationTimestamp")).value_or(time_point{});
}

int64_t restart_count(const json& pod) {
  std::string phase = pod_phase(pod);
  if (phase != "Running" && phase != "Pending") return 0;
  int64_t total = 0;
  for (const char* field : {"initContainerStatuses", "containerStatuses"}) {
    const json::json_pointer p(std::string("/status/") + field);
    if (!pod.contains(p) || !pod.at(p).is_array()) continue;
    for (const auto& cs : pod.at(p)) total += cs.value("restartCount", int64_t{0});
  }
  return total;
}

namespace {

void add_index_env(json& containers) {
  if (!containers.is_array()) return;
  const std::string path = std::string("metadata.labels['") + kCompletionIndexKey + "']";
  for (auto& c : containers) {
    json& env = c["env"];
    if (!env.is_array()) env = json::array();
    bool present = std::any_of(env.begin(), env.end(), [](const json& e) { return e.value("name", "") == kCompletionIndexEnv; });
    if (!present) env.push_back({{"name", kCompletionIndexEnv}, {"valueFrom", {{"fieldRef", {{"fieldPath", path}}}}}});
  }
}

}  // namespace

json pod_from_template(const json& job, std::optional<int> index) {
  const json& meta = job.at("metadata");
  const std::string name = meta.value("name", "");
  json tmpl = job.value("spec", json::object()).value("template", json::object());
  json tmeta = tmpl.value("metadata", json::object());
  json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", json::object()}};
  json& pmeta = pod["metadata"];
  pmeta["namespace"] = meta.value("namespace", "");
  if (tmeta.contains("labels") && tmeta["labels"].is_object()) pmeta["labels"] = tmeta["labels"];
  if (tmeta.contains("annotations") && tmeta["annotations"].is_object()) pmeta["annotations"] = tmeta["annotations"];
  json finalizers = tmeta.contains("finalizers") && tmeta["finalizers"].is_array() ? tmeta["finalizers"] : json::array();
  if (std::find(finalizers.begin(), finalizers.end(), json(kTrackingFinalizer)) == finalizers.end())
    finalizers.push_back(kTrackingFinalizer);
  pmeta["finalizers"] = finalizers;
  pmeta["ownerReferences"] = json::array({{{"apiVersion", "batch/v1"},
                                           {"kind", "Job"},
                                           {"name", name},
                                           {"uid", meta.value("uid", "")},
                                           {"controller", true},
                                           {"blockOwnerDeletion", true}}});
  pod["spec"] = tmpl.value("spec", json::object());
  if (index) {
    const std::string ix = std::to_string(*index);
    pmeta["annotations"][kCompletionIndexKey] = ix;
    pmeta["labels"][kCompletionIndexKey] = ix;
    add_index_env(pod["spec"]["containers"]);
    if (pod["spec"].contains("initContainers")) add_index_env(pod["spec"]["initContainers"]);
    pod["spec"]["hostname"] = name + "-" + ix;
    std::string suffix = "-" + ix + "-";
    constexpr size_t kMaxGeneratedNameLength = 58;
    std::string prefix = name + suffix;
    if (prefix.size() > kMaxGeneratedNameLength) prefix = name.substr(0, kMaxGeneratedNameLength - suffix.size()) + suffix;
    pmeta["generateName"] = prefix;
  } else {
    pmeta["generateName"] = name + "-";
  }
  return pod;
}

}  // namespace kite::controllers::job
