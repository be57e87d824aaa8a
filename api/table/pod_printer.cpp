// Pods: READY, STATUS and RESTARTS computed from the pod's status the way a Kubernetes 1.32
// server does (init containers, restartable "sidecar" init containers, waiting/terminated
// reasons, Terminating), plus the wide columns.
#include <map>
#include <optional>

#include "api/table/format.h"
#include "api/table/printer.h"

namespace kite::api::table {

namespace {

// The later of `cur` and the container's last termination time.
void note_termination(const json& status, std::optional<TimePoint>& latest) {
  const json* t = field(status, {"lastState", "terminated", "finishedAt"});
  if (!t || !t->is_string()) return;
  auto when = parse_time(t->get<std::string>());
  if (when && (!latest || *latest < *when)) latest = when;
}

bool condition_true(const json& pod, std::string_view type) {
  for (const json& c : array(pod, {"status", "conditions"})) {
    if (str(c, {"type"}) == type) return str(c, {"status"}) == "True";
  }
  return false;
}

bool has_ready_condition(const json& pod) {
  for (const json& c : array(pod, {"status", "conditions"})) {
    if (str(c, {"type"}) == "Ready" && str(c, {"status"}) == "True") return true;
  }
  return false;
}

std::string terminated_reason(const json& term, const std::string& prefix) {
  std::string reason = str(term, {"reason"});
  if (!reason.empty()) return prefix + reason;
  int64_t signal = num(term, {"signal"});
  if (signal != 0) return prefix + "Signal:" + std::to_string(signal);
  return prefix + "ExitCode:" + std::to_string(num(term, {"exitCode"}));
}

std::string readiness_gates(const json& pod) {
  const json& gates = array(pod, {"spec", "readinessGates"});
  if (gates.empty()) return "<none>";
  int true_count = 0;
  for (const json& g : gates) {
    std::string type = str(g, {"conditionType"});
    for (const json& c : array(pod, {"status", "conditions"})) {
      if (str(c, {"type"}) == type) {
        if (str(c, {"status"}) == "True") ++true_count;
        break;
      }
    }
  }
  return std::to_string(true_count) + "/" + std::to_string(gates.size());
}

std::string or_none(std::string s) { return s.empty() ? "<none>" : s; }

json pod_cells(const json& pod, TimePoint now) {
  int64_t restarts = 0, sidecar_restarts = 0, ready = 0;
  std::optional<TimePoint> last_restart, last_sidecar_restart;
  int64_t total = static_cast<int64_t>(array(pod, {"spec", "containers"}).size());

  std::string phase = str(pod, {"status", "phase"});
  std::string reason = str(pod, {"status", "reason"}, phase);
  if (reason.empty()) reason = phase;
  for (const json& c : array(pod, {"status", "conditions"})) {
    if (str(c, {"type"}) == "PodScheduled" && str(c, {"reason"}) == "SchedulingGated") {
      reason = "SchedulingGated";
    }
  }

  // Restartable init containers (restartPolicy: Always) are sidecars and count as containers.
  const json& init_specs = array(pod, {"spec", "initContainers"});
  std::map<std::string, bool> restartable;
  for (const json& c : init_specs) {
    bool r = str(c, {"restartPolicy"}) == "Always";
    restartable[str(c, {"name"})] = r;
    if (r) ++total;
  }

  bool initializing = false;
  const json& init_statuses = array(pod, {"status", "initContainerStatuses"});
  for (size_t i = 0; i < init_statuses.size(); ++i) {
    const json& cs = init_statuses[i];
    restarts += num(cs, {"restartCount"});
    note_termination(cs, last_restart);
    bool sidecar = restartable[str(cs, {"name"})];
    if (sidecar) {
      sidecar_restarts += num(cs, {"restartCount"});
      note_termination(cs, last_sidecar_restart);
    }
    const json* term = field(cs, {"state", "terminated"});
    const json* wait = field(cs, {"state", "waiting"});
    bool terminated = term && term->is_object();
    if (terminated && num(*term, {"exitCode"}) == 0) continue;
    if (sidecar && flag(cs, {"started"})) {
      if (flag(cs, {"ready"})) ++ready;
      continue;
    }
    if (terminated) {
      reason = terminated_reason(*term, "Init:");
    } else if (wait && wait->is_object() && !str(*wait, {"reason"}).empty() &&
               str(*wait, {"reason"}) != "PodInitializing") {
      reason = "Init:" + str(*wait, {"reason"});
    } else {
      reason = "Init:" + std::to_string(i) + "/" + std::to_string(init_specs.size());
    }
    initializing = true;
    break;
  }

  if (!initializing || condition_true(pod, "Initialized")) {
    restarts = sidecar_restarts;
    last_restart = last_sidecar_restart;
    bool has_running = false;
    const json& statuses = array(pod, {"status", "containerStatuses"});
    for (size_t n = statuses.size(); n-- > 0;) {
      const json& cs = statuses[n];
      restarts += num(cs, {"restartCount"});
      note_termination(cs, last_restart);
      const json* term = field(cs, {"state", "terminated"});
      std::string waiting_reason = str(cs, {"state", "waiting", "reason"});
      if (!waiting_reason.empty()) {
        reason = waiting_reason;
      } else if (term && term->is_object()) {
        reason = terminated_reason(*term, "");
      } else if (flag(cs, {"ready"}) && has(cs, {"state", "running"})) {
        has_running = true;
        ++ready;
      }
    }
    // A completed container next to one still running does not make the pod "Completed".
    if (reason == "Completed" && has_running) {
      reason = has_ready_condition(pod) ? "Running" : "NotReady";
    }
  }

  if (has(pod, {"metadata", "deletionTimestamp"})) {
    if (str(pod, {"status", "reason"}) == "NodeLost") {
      reason = "Unknown";
    } else if (phase != "Succeeded" && phase != "Failed") {
      reason = "Terminating";
    }
  }

  std::string restarts_cell = std::to_string(restarts);
  if (restarts != 0 && last_restart) {
    restarts_cell += " (" + human_duration(now - *last_restart) + " ago)";
  }

  std::string ip;
  const json& ips = array(pod, {"status", "podIPs"});
  if (!ips.empty()) ip = str(ips[0], {"ip"});

  return json::array({str(pod, {"metadata", "name"}),
                      std::to_string(ready) + "/" + std::to_string(total), reason,
                      restarts_cell, age(pod, now), or_none(ip),
                      or_none(str(pod, {"spec", "nodeName"})),
                      or_none(str(pod, {"status", "nominatedNodeName"})),
                      readiness_gates(pod)});
}

json pod_conditions(const json& pod) {
  std::string phase = str(pod, {"status", "phase"});
  if (phase == "Succeeded") {
    return json::array({{{"type", "Completed"},
                         {"status", "True"},
                         {"reason", "Succeeded"},
                         {"message", "The pod has completed successfully."}}});
  }
  if (phase == "Failed") {
    return json::array({{{"type", "Completed"},
                         {"status", "True"},
                         {"reason", "Failed"},
                         {"message", "The pod failed."}}});
  }
  return nullptr;
}

}  // namespace

void add_pod_printer(PrinterMap& m) {
  m["/pods"] = Printer{
      {name_column(),
       column("Ready", "string", "Ready containers out of all containers of the pod."),
       column("Status", "string", "Summary of the pod's phase and its containers' states."),
       column("Restarts", "string",
              "Container restarts, with the time since the latest one."),
       age_column(),
       wide("IP", "string", "The pod's first IP address."),
       wide("Node", "string", "The node the pod is bound to."),
       wide("Nominated Node", "string", "The node the scheduler nominated for preemption."),
       wide("Readiness Gates", "string", "Readiness gates whose condition is True, of all.")},
      pod_cells, pod_conditions};
}

}  // namespace kite::api::table
