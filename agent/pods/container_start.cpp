// PodWorker: starting and stopping single containers (kubelet's startContainer/killContainer).
#include <filesystem>
#include <thread>

#include "agent/pods/container_config.h"
#include "agent/pods/handler.h"
#include "agent/pods/pod_spec.h"
#include "agent/pods/pod_worker.h"
#include "base/go_quote.h"

namespace kite::agent::pods {
namespace {

using base::go_quote;

std::string go_string_list(const json& cmd) {
  std::string out = "[";
  bool first = true;
  for (const auto& s : cmd) {
    if (!s.is_string()) continue;
    out += (first ? "" : " ") + s.get<std::string>();
    first = false;
  }
  return out + "]";
}


// kubelet's hook failure message.
std::string hook_failure_message(const json& handler, const json& pod, const std::string& container,
                                 const HandlerOutcome& outcome) {
  std::string kind = handler_kind(handler);
  std::string where = " for Container \"" + container + "\" in Pod \"" + format_pod(pod) + "\" failed - error: ";
  if (kind == "exec") {
    json cmd = handler["exec"].value("command", json::array());
    std::string joined;
    for (const auto& s : cmd) {
      if (s.is_string()) joined += (joined.empty() ? "" : " ") + s.get<std::string>();
    }
    std::string error = outcome.result == HandlerOutcome::Result::kError
                            ? outcome.output
                            : "command '" + joined + "' exited with " + std::to_string(outcome.exit_code) + ": " +
                                  outcome.stderr_;
    std::string output = outcome.result == HandlerOutcome::Result::kError ? "" : outcome.output;
    return "Exec lifecycle hook (" + go_string_list(cmd) + ")" + where + error + ", message: " + go_quote(output);
  }
  if (kind == "httpGet") {
    return "HTTP lifecycle hook (" + string_field(handler["httpGet"], "path") + ")" + where + outcome.output;
  }
  return "Lifecycle hook" + where + outcome.output;
}

}  // namespace

bool PodWorker::start_container(PodRecord& rec, const json& pod, const json& spec, const std::string& sandbox_id,
                                const SandboxConfig& sandbox_config, const PodRuntimeView& view) {
  std::string name = string_field(spec, "name");
  const ContainerStatus* latest = view.latest(name);
  int restart_count = latest ? restart_count_of(*latest) + 1 : 0;
  auto now = deps_.clock->now();
  auto wait = [&](const std::string& reason, const std::string& message) {
    rec.waiting[name] = {reason, message};
    return false;
  };
  // A start that failed for a reason other than back-off is retried after kubelet's 10 s pod
  // back-off.
  auto failed = [&](const std::string& reason, const std::string& message) {
    rec.wake_at(now + std::chrono::seconds(10));
    return wait(reason, message);
  };

  // CrashLoopBackOff, measured from when the last instance finished.
  if (latest && latest->state == ContainerState::kExited) {
    std::string key = pod_uid(pod) + "_" + name;
    auto finished = time_of(latest->finished_at);
    if (crash_backoff_.in_backoff_since(key, finished, now)) {
      auto period = crash_backoff_.get(key);
      deps_.events->warning(pod, "BackOff", "Back-off restarting failed container " + name + " in pod " + format_pod(pod));
      rec.wake_at(finished + period);
      return wait("CrashLoopBackOff", "back-off " + format_go_duration(period) + " restarting failed container=" + name +
                                          " pod=" + format_pod(pod));
    }
    crash_backoff_.next(key, finished);
  }

  ImageOutcome image = deps_.images->ensure(pod, spec, sandbox_config);
  if (!image.ok()) {
    deps_.events->warning(pod, "Failed", "Error: " + image.reason);
    if (image.reason == "ErrImagePull") {
      rec.wake_at(now + std::chrono::seconds(1));  // shows ImagePullBackOff next
    } else if (auto retry = deps_.images->retry_at(pod, spec)) {
      rec.wake_at(*retry);
    }
    return wait(image.reason, image.message);
  }

  const SandboxStatus* sandbox = view.latest_sandbox();
  EnvContext env_context;
  env_context.client = deps_.client;
  env_context.node_name = deps_.node_name;
  env_context.host_ip = deps_.node_ip;
  env_context.pod_ip = pod.value("spec", json::object()).value("hostNetwork", false) ? deps_.node_ip
                                                                                    : (sandbox ? sandbox->ip : "");
  if (!env_context.pod_ip.empty()) env_context.pod_ips = {env_context.pod_ip};
  std::vector<KeyValue> env;
  if (deps_.seams.resolve_env) {
    auto resolved = deps_.seams.resolve_env(pod, spec, env_context);
    if (!resolved) {
      deps_.events->warning(pod, "Failed", "Error: " + resolved.error().message());
      return failed("CreateContainerConfigError", resolved.error().message());
    }
    env = std::move(*resolved);
  }
  std::vector<Mount> mounts;
  if (deps_.seams.mounts_for) {
    auto host_mounts = deps_.seams.mounts_for(pod, spec);
    if (!host_mounts) {
      deps_.events->warning(pod, "Failed", "Error: " + host_mounts.error().message());
      return failed("CreateContainerConfigError", host_mounts.error().message());
    }
    std::string termination_path = string_field(spec, "terminationMessagePath", "/dev/termination-log");
    for (const auto& m : *host_mounts) {
      mounts.push_back({m.container_path, m.host_path, m.readonly, m.propagation});
      if (m.container_path == termination_path) rec.termination_logs[name] = m.host_path;
    }
  }
  ContainerInputs inputs;
  inputs.restart_count = restart_count;
  inputs.image = string_field(spec, "image");
  inputs.env = std::move(env);
  inputs.mounts = std::move(mounts);
  inputs.memory_capacity_bytes = deps_.memory_capacity_bytes;
  auto config = make_container_config(pod, spec, inputs);
  if (!config) {
    deps_.events->warning(pod, "Failed", "Error: " + config.error().message());
    return failed("CreateContainerConfigError", config.error().message());
  }
  std::error_code ec;
  std::filesystem::create_directories(sandbox_config.log_directory + "/" + name, ec);
  auto id = deps_.runtime->create_container(sandbox_id, *config, sandbox_config);
  if (!id) {
    deps_.events->warning(pod, "Failed", "Error: " + id.error().message());
    return failed("CreateContainerError", id.error().message());
  }
  deps_.events->normal(pod, "Created", "Created container " + name);
  if (auto started = deps_.runtime->start_container(*id); !started) {
    deps_.events->warning(pod, "Failed", "Error: " + started.error().message());
    return failed("RunContainerError", started.error().message());
  }
  deps_.events->normal(pod, "Started", "Started container " + name);
  rec.waiting.erase(name);
  return run_post_start(rec, pod, spec, *id, env_context.pod_ip);
}

bool PodWorker::run_post_start(PodRecord& rec, const json& pod, const json& spec, const std::string& id,
                               const std::string& pod_ip) {
  json lifecycle = spec.value("lifecycle", json::object());
  if (!lifecycle.is_object() || !lifecycle.contains("postStart")) return true;
  const json& hook = lifecycle["postStart"];
  std::string name = string_field(spec, "name");
  auto timeout = std::chrono::seconds(std::max<int64_t>(1, grace_period_seconds(pod)));
  HandlerOutcome outcome = run_handler(hook, spec, {deps_.runtime, id, pod_ip}, timeout);
  if (outcome.ok()) return true;
  std::string message = hook_failure_message(hook, pod, name, outcome);
  deps_.events->warning(pod, "FailedPostStartHook", message);
  auto status = deps_.runtime->container_status(id);
  if (status) kill_container(pod, *status, grace_period_seconds(pod), "FailedPostStartHook", pod_ip);
  rec.waiting[name] = {"PostStartHookError", message};
  return false;
}

void PodWorker::kill_container(const json& pod, const ContainerStatus& c, int64_t grace_seconds,
                               const std::string& message, const std::string& pod_ip) {
  std::string name = container_name_of(c);
  json spec = find_container(pod, name);
  deps_.events->normal(pod, "Killing", message.empty() ? "Stopping container " + name : message);
  auto begun = std::chrono::steady_clock::now();
  int64_t grace = grace_seconds;
  if (spec.is_object()) {
    json lifecycle = spec.value("lifecycle", json::object());
    if (lifecycle.is_object() && lifecycle.contains("preStop") && c.state == ContainerState::kRunning && grace > 0) {
      const json& hook = lifecycle["preStop"];
      HandlerOutcome outcome = run_handler(hook, spec, {deps_.runtime, c.id, pod_ip}, std::chrono::seconds(grace));
      if (!outcome.ok()) {
        std::string text = hook_failure_message(hook, pod, name, outcome);
        deps_.events->warning(pod, "FailedPreStopHook", text);
      }
      auto spent = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - begun).count();
      grace -= spent;
    }
  }
  // kubelet's minimum grace period for a stop.
  if (grace < 2) grace = 2;
  (void)deps_.runtime->stop_container(c.id, std::chrono::seconds(grace));
}

void PodWorker::kill_all(const json* pod, const PodRuntimeView& view, int64_t grace_seconds, const std::string& pod_ip) {
  static const json no_pod = json::object();
  std::vector<std::thread> stops;
  for (const auto& c : view.containers) {
    if (c.state != ContainerState::kRunning && c.state != ContainerState::kCreated) continue;
    if (c.state == ContainerState::kCreated) {
      (void)deps_.runtime->remove_container(c.id);
      continue;
    }
    stops.emplace_back([this, pod, &c, grace_seconds, &pod_ip] {
      if (pod) {
        kill_container(*pod, c, grace_seconds, "", pod_ip);
      } else {
        (void)deps_.runtime->stop_container(c.id, std::chrono::seconds(std::max<int64_t>(2, grace_seconds)));
      }
    });
  }
  for (auto& t : stops) t.join();
}

}  // namespace kite::agent::pods
