#include "tools/hollow-nodes/pod_lifecycle.h"

#include <algorithm>

#include "base/ids.h"

namespace kite::hollow {

namespace {

using TimePoint = std::chrono::system_clock::time_point;
using std::chrono::milliseconds;

std::optional<int> int_annotation(const json& pod, const char* key) {
  const json* a = pod.contains("metadata") ? &pod["metadata"] : nullptr;
  if (!a || !a->contains("annotations") || !(*a)["annotations"].is_object()) return std::nullopt;
  auto it = (*a)["annotations"].find(key);
  if (it == (*a)["annotations"].end() || !it->is_string()) return std::nullopt;
  try {
    size_t used = 0;
    int v = std::stoi(it->get<std::string>(), &used);
    if (used != it->get<std::string>().size()) return std::nullopt;
    return v;
  } catch (...) {
    return std::nullopt;
  }
}

bool wants_ready(const json& pod) {
  auto& meta = pod["metadata"];
  if (!meta.contains("annotations") || !meta["annotations"].is_object()) return true;
  auto it = meta["annotations"].find(kAnnotationReady);
  return it == meta["annotations"].end() || !it->is_string() || it->get<std::string>() != "false";
}

const json& containers(const json& pod) {
  static const json empty = json::array();
  auto& spec = pod["spec"];
  return spec.contains("containers") && spec["containers"].is_array() ? spec["containers"] : empty;
}

std::string container_id(const json& pod, const json& c) {
  return "hollow://" + pod["metadata"].value("uid", "") + "/" + c.value("name", "");
}

// The lastTransitionTime to report for a condition: kept when its status does not change.
std::string transition_time(const json& old_status, const std::string& type, const std::string& status, TimePoint now) {
  if (old_status.contains("conditions") && old_status["conditions"].is_array()) {
    for (const auto& c : old_status["conditions"]) {
      if (c.value("type", "") == type && c.value("status", "") == status && c.contains("lastTransitionTime")) {
        return c["lastTransitionTime"].get<std::string>();
      }
    }
  }
  return base::rfc3339(now);
}

json condition(const json& old_status, const std::string& type, bool ok, const std::string& reason, TimePoint now) {
  std::string status = ok ? "True" : "False";
  json c = {{"type", type}, {"status", status}, {"lastProbeTime", nullptr},
            {"lastTransitionTime", transition_time(old_status, type, status, now)}};
  if (!reason.empty()) c["reason"] = reason;
  return c;
}

struct Observed {
  bool running = false;
  TimePoint started{};
  int restart_count = 0;
  bool ready = false;
};

Observed observe(const json& pod) {
  Observed o;
  const json& st = pod.contains("status") ? pod["status"] : json::object();
  if (st.value("phase", "") != "Running" || !st.contains("containerStatuses")) return o;
  const json& cs = st["containerStatuses"];
  if (!cs.is_array() || cs.size() != containers(pod).size() || cs.empty()) return o;
  for (const auto& c : cs) {
    if (!c.contains("state") || !c["state"].contains("running")) return o;
  }
  std::string started = cs[0]["state"]["running"].value("startedAt", "");
  if (!base::parse_rfc3339(started, &o.started)) return o;
  o.restart_count = cs[0].value("restartCount", 0);
  o.running = true;
  if (st.contains("conditions") && st["conditions"].is_array()) {
    for (const auto& c : st["conditions"]) {
      if (c.value("type", "") == "Ready") o.ready = c.value("status", "") == "True";
    }
  }
  return o;
}

json init_statuses(const json& pod, TimePoint started) {
  json out = json::array();
  auto& spec = pod["spec"];
  if (!spec.contains("initContainers") || !spec["initContainers"].is_array()) return out;
  for (const auto& c : spec["initContainers"]) {
    out.push_back({{"name", c.value("name", "")},
                   {"image", c.value("image", "")},
                   {"imageID", "hollow-image://" + c.value("image", "")},
                   {"containerID", container_id(pod, c)},
                   {"ready", true},
                   {"started", false},
                   {"restartCount", 0},
                   {"state",
                    {{"terminated",
                      {{"exitCode", 0},
                       {"reason", "Completed"},
                       {"startedAt", base::rfc3339(started)},
                       {"finishedAt", base::rfc3339(started)},
                       {"containerID", container_id(pod, c)}}}}},
                   {"lastState", json::object()}});
  }
  return out;
}

// Fields every status we write shares: IPs, startTime, qosClass, initContainerStatuses.
json base_status(const json& pod, const std::string& host_ip, const std::string& ip, TimePoint started, TimePoint now) {
  const json& old = pod.contains("status") ? pod["status"] : json::object();
  std::string use_ip = old.contains("podIP") && old["podIP"].is_string() && !old["podIP"].get<std::string>().empty()
                           ? old["podIP"].get<std::string>()
                           : ip;
  json st = {{"hostIP", host_ip},
             {"hostIPs", json::array({{{"ip", host_ip}}})},
             {"podIP", use_ip},
             {"podIPs", json::array({{{"ip", use_ip}}})},
             {"startTime", old.contains("startTime") ? old["startTime"] : json(base::rfc3339(now))},
             {"qosClass", qos_class(pod["spec"])}};
  json init = init_statuses(pod, started);
  if (!init.empty()) st["initContainerStatuses"] = init;
  return st;
}

json running_status(const json& pod, const std::string& host_ip, const std::string& ip, TimePoint started,
                    int restart_count, bool ready, const json& last_states, TimePoint now) {
  const json& old = pod.contains("status") ? pod["status"] : json::object();
  json st = base_status(pod, host_ip, ip, started, now);
  st["phase"] = "Running";
  json cs = json::array();
  for (size_t i = 0; i < containers(pod).size(); ++i) {
    const json& c = containers(pod)[i];
    json last_state = i < last_states.size() ? last_states[i] : json::object();
    cs.push_back({{"name", c.value("name", "")},
                  {"image", c.value("image", "")},
                  {"imageID", "hollow-image://" + c.value("image", "")},
                  {"containerID", container_id(pod, c)},
                  {"ready", ready},
                  {"started", true},
                  {"restartCount", restart_count},
                  {"state", {{"running", {{"startedAt", base::rfc3339(started)}}}}},
                  {"lastState", last_state}});
  }
  st["containerStatuses"] = cs;
  std::string not_ready = ready ? "" : "ContainersNotReady";
  st["conditions"] = json::array({condition(old, "PodReadyToStartContainers", true, "", now),
                                  condition(old, "Initialized", true, "", now),
                                  condition(old, "Ready", ready, not_ready, now),
                                  condition(old, "ContainersReady", ready, not_ready, now),
                                  condition(old, "PodScheduled", true, "", now)});
  return st;
}

json terminated_state(const json& pod, const json& c, int exit_code, TimePoint started, TimePoint finished) {
  return {{"terminated",
           {{"exitCode", exit_code},
            {"reason", exit_code == 0 ? "Completed" : "Error"},
            {"startedAt", base::rfc3339(started)},
            {"finishedAt", base::rfc3339(finished)},
            {"containerID", container_id(pod, c)}}}};
}

json finished_status(const json& pod, const std::string& host_ip, const std::string& ip, TimePoint started,
                     int restart_count, int exit_code, TimePoint now) {
  const json& old = pod.contains("status") ? pod["status"] : json::object();
  json st = base_status(pod, host_ip, ip, started, now);
  st["phase"] = exit_code == 0 ? "Succeeded" : "Failed";
  json cs = json::array();
  for (const auto& c : containers(pod)) {
    cs.push_back({{"name", c.value("name", "")},
                  {"image", c.value("image", "")},
                  {"imageID", "hollow-image://" + c.value("image", "")},
                  {"containerID", container_id(pod, c)},
                  {"ready", false},
                  {"started", false},
                  {"restartCount", restart_count},
                  {"state", terminated_state(pod, c, exit_code, started, now)},
                  {"lastState", json::object()}});
  }
  st["containerStatuses"] = cs;
  st["conditions"] = json::array({condition(old, "PodReadyToStartContainers", false, "", now),
                                  condition(old, "Initialized", true, "PodCompleted", now),
                                  condition(old, "Ready", false, "PodCompleted", now),
                                  condition(old, "ContainersReady", false, "PodCompleted", now),
                                  condition(old, "PodScheduled", true, "", now)});
  return st;
}

milliseconds until(TimePoint t, TimePoint now) {
  return std::max(milliseconds(1), std::chrono::duration_cast<milliseconds>(t - now) + milliseconds(1));
}

}  // namespace

std::string qos_class(const json& pod_spec) {
  bool any = false;
  bool guaranteed = true;
  auto visit = [&](const json& list) {
    if (!list.is_array()) return;
    for (const auto& c : list) {
      json req = c.contains("resources") ? c["resources"].value("requests", json::object()) : json::object();
      json lim = c.contains("resources") ? c["resources"].value("limits", json::object()) : json::object();
      for (const char* r : {"cpu", "memory"}) {
        bool has_req = req.contains(r), has_lim = lim.contains(r);
        if (has_req || has_lim) any = true;
        if (!has_lim) guaranteed = false;
        else if (has_req && req[r] != lim[r]) guaranteed = false;
      }
    }
  };
  if (pod_spec.contains("containers")) visit(pod_spec["containers"]);
  if (pod_spec.contains("initContainers")) visit(pod_spec["initContainers"]);
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

PodPlan plan_pod(const json& pod, const std::string& host_ip, const std::string& pod_ip, TimePoint now) {
  PodPlan plan;
  if (!pod.contains("metadata") || !pod.contains("spec")) return plan;
  if (pod["metadata"].contains("deletionTimestamp") && !pod["metadata"]["deletionTimestamp"].is_null()) {
    plan.action = PodPlan::Action::kConfirmDelete;
    return plan;
  }
  std::string phase = pod.contains("status") ? pod["status"].value("phase", "") : "";
  if (phase == "Succeeded" || phase == "Failed") return plan;

  bool ready = wants_ready(pod);
  std::optional<int> exit_code = int_annotation(pod, kAnnotationExitCode);
  int run_seconds = std::max(0, int_annotation(pod, kAnnotationRunSeconds).value_or(0));
  std::string policy = pod["spec"].value("restartPolicy", "Always");

  Observed obs = observe(pod);
  if (!obs.running) {
    plan.action = PodPlan::Action::kWriteStatus;
    plan.status = running_status(pod, host_ip, pod_ip, now, 0, ready, json::array(), now);
    if (exit_code) plan.recheck_after = until(now + std::chrono::seconds(run_seconds), now);
    return plan;
  }
  if (exit_code) {
    bool restarts = policy == "Always" || (policy == "OnFailure" && *exit_code != 0);
    // A restarting container runs at least a second, so a crash loop cannot spin.
    int runs = restarts && obs.restart_count > 0 ? std::max(1, run_seconds) : run_seconds;
    TimePoint exit_at = obs.started + std::chrono::seconds(runs);
    if (now < exit_at) {
      plan.recheck_after = until(exit_at, now);
    } else if (restarts) {
      plan.action = PodPlan::Action::kWriteStatus;
      json last = json::array();
      for (const auto& c : containers(pod)) last.push_back(terminated_state(pod, c, *exit_code, obs.started, now));
      plan.status = running_status(pod, host_ip, pod_ip, now, obs.restart_count + 1, ready, last, now);
      plan.recheck_after = until(now + std::chrono::seconds(std::max(1, run_seconds)), now);
      return plan;
    } else {
      plan.action = PodPlan::Action::kWriteStatus;
      plan.status = finished_status(pod, host_ip, pod_ip, obs.started, obs.restart_count, *exit_code, now);
      return plan;
    }
  }
  if (obs.ready != ready) {
    plan.action = PodPlan::Action::kWriteStatus;
    json last = json::array();
    for (const auto& c : pod["status"]["containerStatuses"]) last.push_back(c.value("lastState", json::object()));
    plan.status = running_status(pod, host_ip, pod_ip, obs.started, obs.restart_count, ready, last, now);
  }
  return plan;
}

}  // namespace kite::hollow
