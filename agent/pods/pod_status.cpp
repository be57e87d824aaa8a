#include "agent/pods/pod_status.h"

#include "agent/pods/container_config.h"
#include "agent/pods/pod_spec.h"
#include "base/ids.h"

namespace kite::agent::pods {
namespace {

std::string time_text(UnixNanos ns) {
  return base::rfc3339(pods::time_of(ns));
}

// Go's fmt %s of a []string: "[a b]".
std::string go_list(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? " " : "") + names[i];
  return out + "]";
}

json terminated_state(const ContainerStatus& c, const std::string& runtime, const StatusInputs& in) {
  json t = {{"exitCode", c.exit_code},
            {"reason", !c.reason.empty() ? c.reason : (c.exit_code == 0 ? "Completed" : "Error")},
            {"startedAt", c.started_at ? json(time_text(c.started_at)) : json(nullptr)},
            {"finishedAt", c.finished_at ? json(time_text(c.finished_at)) : json(nullptr)},
            {"containerID", runtime + "://" + c.id}};
  std::string message = c.message;
  if (message.empty() && in.termination_message) message = in.termination_message(c);
  if (!message.empty()) t["message"] = message;
  return {{"terminated", t}};
}

const json* find_status(const json& statuses, const std::string& name) {
  for (const auto& s : statuses) {
    if (s.value("name", "") == name) return &s;
  }
  return nullptr;
}

json container_statuses(const StatusInputs& in, const json& specs, bool init, bool has_init) {
  const json& pod = *in.pod;
  const PodRuntimeView& view = *in.view;
  std::string policy = restart_policy(pod);
  json out = json::array();
  for (const auto& spec : specs) {
    std::string name = string_field(spec, "name");
    const ContainerStatus* latest = view.latest(name);
    const ContainerStatus* previous = view.previous(name);
    json s = {{"name", name},
              {"image", string_field(spec, "image")},
              {"imageID", ""},
              {"ready", false},
              {"restartCount", 0},
              {"started", false},
              {"lastState", json::object()}};
    json state = {{"waiting", {{"reason", has_init ? "PodInitializing" : "ContainerCreating"}}}};
    bool running = false;
    if (latest) {
      if (!latest->image.empty()) s["image"] = latest->image;
      s["imageID"] = latest->image_ref;
      s["containerID"] = in.runtime_name + "://" + latest->id;
      s["restartCount"] = restart_count_of(*latest);
      if (latest->state == ContainerState::kRunning) {
        running = true;
        state = {{"running", {{"startedAt", time_text(latest->started_at)}}}};
        bool started = !in.started || in.started(name, latest->id);
        s["started"] = started;
        s["ready"] = init ? false : (started && (!in.ready || in.ready(name, latest->id)));
      } else if (latest->state == ContainerState::kExited) {
        state = terminated_state(*latest, in.runtime_name, in);
        if (init) s["ready"] = latest->exit_code == 0;
      } else {
        state = {{"waiting", {{"reason", "ContainerCreating"}}}};
      }
      if (previous && previous->state == ContainerState::kExited) {
        s["lastState"] = terminated_state(*previous, in.runtime_name, in);
      }
    }
    // A container that will be (re)started shows why it is waiting.
    bool will_start = !running && !is_deleting(pod) &&
                      (!latest || latest->state != ContainerState::kExited ||
                       (init ? latest->exit_code != 0 && policy != "Never" : should_restart(policy, latest->exit_code)));
    auto cached = in.waiting.find(name);
    if (will_start && cached != in.waiting.end()) {
      if (state.contains("terminated")) s["lastState"] = state;
      json waiting = {{"reason", cached->second.reason}};
      if (!cached->second.message.empty()) waiting["message"] = cached->second.message;
      state = {{"waiting", waiting}};
    }
    s["state"] = state;
    out.push_back(std::move(s));
  }
  return out;
}

json condition(const std::string& type, bool status, const std::string& reason = "", const std::string& message = "") {
  json c = {{"type", type}, {"status", status ? "True" : "False"}, {"lastProbeTime", nullptr}};
  if (!reason.empty()) c["reason"] = reason;
  if (!message.empty()) c["message"] = message;
  return c;
}

bool any_app_started(const json& statuses) {
  for (const auto& s : statuses) {
    const json& st = s["state"];
    if (st.contains("running") || st.contains("terminated") ||
        s["lastState"].contains("terminated")) {
      return true;
    }
  }
  return false;
}

json initialized_condition(const json& pod, const json& init_statuses, const json& statuses, const std::string& phase) {
  std::vector<std::string> unknown, incomplete;
  for (const auto& c : init_containers(pod)) {
    std::string name = string_field(c, "name");
    const json* s = find_status(init_statuses, name);
    if (!s) {
      unknown.push_back(name);
    } else if (!s->value("ready", false)) {
      incomplete.push_back(name);
    }
  }
  if (phase == "Succeeded" && unknown.empty()) return condition("Initialized", true, "PodCompleted");
  if (any_app_started(statuses)) return condition("Initialized", true);
  std::string message;
  if (!unknown.empty()) message = "containers with unknown status: " + go_list(unknown);
  if (!incomplete.empty()) message += (message.empty() ? "" : ", ") + std::string("containers with incomplete status: ") + go_list(incomplete);
  if (!message.empty()) return condition("Initialized", false, "ContainersNotInitialized", message);
  return condition("Initialized", true);
}

json containers_ready_condition(const json& pod, const json& statuses, const std::string& phase) {
  std::vector<std::string> unknown, unready;
  for (const auto& c : app_containers(pod)) {
    std::string name = string_field(c, "name");
    const json* s = find_status(statuses, name);
    if (!s) {
      unknown.push_back(name);
    } else if (!s->value("ready", false)) {
      unready.push_back(name);
    }
  }
  if (phase == "Succeeded" && unknown.empty()) return condition("ContainersReady", false, "PodCompleted");
  if (phase == "Failed") return condition("ContainersReady", false, "PodFailed");
  std::string message;
  if (!unknown.empty()) message = "containers with unknown status: " + go_list(unknown);
  if (!unready.empty()) message += (message.empty() ? "" : ", ") + std::string("containers with unready status: ") + go_list(unready);
  if (!message.empty()) return condition("ContainersReady", false, "ContainersNotReady", message);
  return condition("ContainersReady", true);
}

json ready_condition(const json& pod, const json& containers_ready) {
  json c = containers_ready;
  c["type"] = "Ready";
  if (c["status"] != "True") return c;
  // Readiness gates: each named condition must be True.
  const json& old_conditions = pod.value("status", json::object()).value("conditions", json::array());
  for (const auto& gate : pod.value("spec", json::object()).value("readinessGates", json::array())) {
    std::string type = string_field(gate, "conditionType");
    const json* found = nullptr;
    for (const auto& oc : old_conditions) {
      if (oc.value("type", "") == type) found = &oc;
    }
    if (!found) {
      return condition("Ready", false, "ReadinessGatesNotReady",
                       "corresponding condition of pod readiness gate \"" + type + "\" does not exist.");
    }
    if (found->value("status", "") != "True") {
      return condition("Ready", false, "ReadinessGatesNotReady",
                       "the status of pod readiness gate \"" + type + "\" is not \"True\", but " +
                           found->value("status", ""));
    }
  }
  return condition("Ready", true);
}

}  // namespace

bool is_terminal_phase(const std::string& phase) { return phase == "Succeeded" || phase == "Failed"; }

std::string pod_phase(const json& pod, const json& init_statuses, const json& statuses, bool pod_is_terminal) {
  std::string old_phase = pod.value("status", json::object()).value("phase", "");
  if (is_terminal_phase(old_phase)) return old_phase;
  std::string policy = restart_policy(pod);
  int pending_init = 0, failed_init = 0;
  for (const auto& c : init_containers(pod)) {
    const json* s = find_status(init_statuses, string_field(c, "name"));
    if (!s) {
      ++pending_init;
      continue;
    }
    const json& st = (*s)["state"];
    if (st.contains("running")) {
      ++pending_init;
    } else if (st.contains("terminated")) {
      if (st["terminated"].value("exitCode", 0) != 0) ++failed_init;
    } else if (st.contains("waiting")) {
      const json& last = (*s)["lastState"];
      if (last.contains("terminated")) {
        if (last["terminated"].value("exitCode", 0) != 0) ++failed_init;
      } else {
        ++pending_init;
      }
    } else {
      ++pending_init;
    }
  }
  int unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const auto& c : app_containers(pod)) {
    const json* s = find_status(statuses, string_field(c, "name"));
    if (!s) {
      ++unknown;
      continue;
    }
    const json& st = (*s)["state"];
    if (st.contains("running")) {
      ++running;
    } else if (st.contains("terminated")) {
      ++stopped;
      if (st["terminated"].value("exitCode", 0) == 0) ++succeeded;
    } else if (st.contains("waiting")) {
      if ((*s)["lastState"].contains("terminated")) {
        ++stopped;
      } else {
        ++waiting;
      }
    } else {
      ++unknown;
    }
  }
  if (failed_init > 0 && policy == "Never") return "Failed";
  if ((pending_init > 0 && !any_app_started(statuses)) || waiting > 0) return "Pending";
  if (failed_init > 0 && !any_app_started(statuses)) return "Pending";
  if (running > 0 && unknown == 0) return "Running";
  if (running == 0 && stopped > 0 && unknown == 0) {
    if (pod_is_terminal) return stopped == succeeded ? "Succeeded" : "Failed";
    if (policy == "Always") return "Running";
    if (stopped == succeeded) return "Succeeded";
    if (policy == "Never") return "Failed";
    return "Running";
  }
  return "Pending";
}

json generate_pod_status(const StatusInputs& in) {
  const json& pod = *in.pod;
  json old = pod.value("status", json::object());
  if (!old.is_object()) old = json::object();
  json status = old;
  bool has_init = !init_containers(pod).empty();
  json init_statuses = container_statuses(in, init_containers(pod), true, has_init);
  json statuses = container_statuses(in, app_containers(pod), false, has_init);
  std::string phase = pod_phase(pod, init_statuses, statuses, in.pod_is_terminal);

  status["phase"] = phase;
  if (has_init) {
    status["initContainerStatuses"] = init_statuses;
  } else {
    status.erase("initContainerStatuses");
  }
  status["containerStatuses"] = statuses;
  if (!in.node_ip.empty()) {
    status["hostIP"] = in.node_ip;
    status["hostIPs"] = json::array({{{"ip", in.node_ip}}});
  }
  bool host_network = pod.value("spec", json::object()).value("hostNetwork", false);
  const SandboxStatus* sandbox = in.view->latest_sandbox();
  std::vector<std::string> ips;
  if (host_network) {
    if (!in.node_ip.empty()) ips.push_back(in.node_ip);
  } else if (sandbox && sandbox->state == SandboxState::kReady && !sandbox->ip.empty()) {
    ips.push_back(sandbox->ip);
    for (const auto& ip : sandbox->additional_ips) ips.push_back(ip);
  }
  if (!ips.empty()) {
    status["podIP"] = ips[0];
    status["podIPs"] = json::array();
    for (const auto& ip : ips) status["podIPs"].push_back({{"ip", ip}});
  }
  if (!status.contains("startTime")) status["startTime"] = base::rfc3339(in.now);
  if (!status.contains("qosClass")) status["qosClass"] = pod_qos_class(pod);

  bool sandbox_ready = sandbox && sandbox->state == SandboxState::kReady && (host_network || !sandbox->ip.empty());
  json containers_ready = containers_ready_condition(pod, statuses, phase);
  std::vector<json> conditions = {condition("PodReadyToStartContainers", sandbox_ready),
                                  initialized_condition(pod, init_statuses, statuses, phase),
                                  ready_condition(pod, containers_ready), containers_ready};
  const json old_conditions = old.value("conditions", json::array());
  bool has_scheduled = false;
  for (const auto& oc : old_conditions) {
    if (oc.value("type", "") == "PodScheduled") has_scheduled = true;
  }
  if (!has_scheduled) conditions.push_back(condition("PodScheduled", true));
  json merged = json::array();
  std::string now = base::rfc3339(in.now);
  for (auto& c : conditions) {
    c["lastTransitionTime"] = now;
    for (const auto& oc : old_conditions) {
      if (oc.value("type", "") == c["type"] && oc.value("status", "") == c["status"] && oc.contains("lastTransitionTime")) {
        c["lastTransitionTime"] = oc["lastTransitionTime"];
      }
    }
    merged.push_back(c);
  }
  static const std::vector<std::string> owned = {"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady"};
  for (const auto& oc : old_conditions) {
    if (std::find(owned.begin(), owned.end(), oc.value("type", "")) == owned.end()) merged.push_back(oc);
  }
  status["conditions"] = merged;
  return status;
}

}  // namespace kite::agent::pods
