#include "agent/pods/pod_worker.h"

#include <algorithm>

#include <filesystem>

#include "agent/pods/pod_spec.h"
#include "base/log.h"

namespace kite::agent::pods {
namespace {

// Where the init sequence stands (kubelet's findNextInitContainerToRun).
struct InitProgress {
  bool done = false;
  bool running = false;      // an init container is running: wait for it
  int failed = -1;           // index of the init container that failed last
  int next = -1;             // index of the init container to start
};

InitProgress init_progress(const json& pod, const PodRuntimeView& view) {
  InitProgress p;
  const json& inits = init_containers(pod);
  if (inits.empty()) {
    p.done = true;
    return p;
  }
  for (const auto& c : app_containers(pod)) {
    const ContainerStatus* s = view.latest(string_field(c, "name"));
    if (s && s->state == ContainerState::kRunning) {
      p.done = true;
      return p;
    }
  }
  for (int i = static_cast<int>(inits.size()) - 1; i >= 0; --i) {
    const ContainerStatus* s = view.latest(string_field(inits[i], "name"));
    if (!s) continue;
    if (s->state == ContainerState::kRunning) {
      p.running = true;
      return p;
    }
    if (s->state != ContainerState::kExited) {  // created, never started: start it again
      p.next = i;
      return p;
    }
    if (s->exit_code != 0) {
      p.failed = i;
      return p;
    }
    if (i == static_cast<int>(inits.size()) - 1) {
      p.done = true;
      return p;
    }
    p.next = i + 1;
    return p;
  }
  p.next = 0;
  return p;
}

}  // namespace

void PodRecord::wake_at(base::Clock::time_point t) {
  int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  int64_t cur = wake_at_ns.load();
  while ((cur == 0 || ns < cur) && !wake_at_ns.compare_exchange_weak(cur, ns)) {
  }
}

void PodRecord::set_synced_signature(std::string signature) {
  std::lock_guard lock(signature_mu_);
  synced_signature_ = std::move(signature);
}

std::string PodRecord::synced_signature() const {
  std::lock_guard lock(signature_mu_);
  return synced_signature_;
}

PodWorker::PodWorker(PodWorkerDeps deps) : deps_(std::move(deps)) {}

base::Result<void> PodWorker::sync(PodRecord& rec, const std::shared_ptr<const json>& pod) {
  try {
    if (!pod) return remove_orphan(rec);
    rec.removed = false;
    if (is_deleting(*pod)) return terminate(rec, *pod);
    if (rec.deletion_confirmed) return {};
    std::string phase = pod->value("status", json::object()).value("phase", "");
    if (is_terminal_phase(phase)) return finish_terminal(rec, *pod);
    return sync_live(rec, *pod);
  } catch (const std::exception& e) {
    return base::error(base::Reason::InternalError, std::string("pod sync failed: ") + e.what());
  }
}

std::string PodWorker::probe_ip(const json& pod, const PodRuntimeView& view) const {
  if (pod.value("spec", json::object()).value("hostNetwork", false)) return deps_.node_ip;
  const SandboxStatus* sb = view.latest_sandbox();
  return sb ? sb->ip : "";
}

base::Result<void> PodWorker::sync_live(PodRecord& rec, const json& pod) {
  rec.wake_at_ns = 0;
  auto view = read_pod_runtime(*deps_.runtime, pod_uid(pod));
  if (!view) return base::error(view.error());
  base::Result<void> result = sync_containers(rec, pod, *view);
  // Whatever happened, report what the runtime now holds.
  auto after = read_pod_runtime(*deps_.runtime, pod_uid(pod));
  if (!after) return base::error(after.error());
  prune(*after);
  // Only a settled pod (sandbox ready, every container running) skips the relist's next sync;
  // anything that exited during this sync (a failed postStart, an init container) gets one.
  bool settled = after->ready_sandboxes() == 1 && !after->containers.empty() &&
                 std::all_of(after->containers.begin(), after->containers.end(),
                             [](const ContainerStatus& c) { return c.state == ContainerState::kRunning; });
  rec.set_synced_signature(settled ? runtime_signature(after->sandboxes, after->containers) : std::string());
  std::vector<RunningContainer> running;
  for (const auto& c : app_containers(pod)) {
    const ContainerStatus* s = after->latest(string_field(c, "name"));
    if (s && s->state == ContainerState::kRunning) running.push_back({s->name, s->id, time_of(s->started_at)});
  }
  if (deps_.probes) deps_.probes->update_pod(pod, probe_ip(pod, *after), running);
  auto written = write_status(rec, pod, *after);
  if (!result) return result;
  if (!written) return written;
  // A pod that just ended keeps its status; its leftovers stop now.
  if (rec.last_status.is_object() && is_terminal_phase(rec.last_status.value("phase", ""))) {
    return finish_terminal(rec, pod);
  }
  return {};
}

base::Result<std::string> PodWorker::ensure_sandbox(PodRecord& rec, const json& pod, PodRuntimeView& view,
                                                    bool* created) {
  *created = false;
  const SandboxStatus* latest = view.latest_sandbox();
  bool changed = !latest || latest->state != SandboxState::kReady || view.ready_sandboxes() > 1;
  if (!changed) return latest->id;
  // The sandbox died (or there never was one): kill what is left and start over.
  uint32_t attempt = latest ? latest->attempt + 1 : 0;
  bool anything_ran = !view.containers.empty();
  if (latest && anything_ran) {
    kill_all(&pod, view, grace_period_seconds(pod), probe_ip(pod, view));
    for (const auto& sb : view.sandboxes) {
      if (sb.state == SandboxState::kReady) (void)deps_.runtime->stop_pod_sandbox(sb.id);
    }
  }
  if (restart_policy(pod) == "Never" && latest && anything_ran) {
    return std::string();  // never restarted: the pod ends with what its containers did
  }
  if (restart_policy(pod) == "OnFailure" && latest && anything_ran && init_containers(pod).empty()) {
    bool all_succeeded = true;
    for (const auto& c : app_containers(pod)) {
      const ContainerStatus* s = view.latest(string_field(c, "name"));
      if (!s || s->state != ContainerState::kExited || s->exit_code != 0) all_succeeded = false;
    }
    if (all_succeeded) return std::string();
  }
  // A new sandbox runs the init containers again from the first: purge their old instances.
  for (const auto& c : view.containers) {
    if (is_init_container(pod, container_name_of(c))) (void)deps_.runtime->remove_container(c.id);
  }
  SandboxConfig config = make_sandbox_config(pod, attempt, deps_.sandbox);
  std::error_code ec;
  std::filesystem::create_directories(config.log_directory, ec);
  auto id = deps_.runtime->run_pod_sandbox(config);
  if (!id) {
    deps_.events->warning(pod, "FailedCreatePodSandBox", "Failed to create pod sandbox: " + id.error().message());
    return base::error(id.error());
  }
  *created = true;
  (void)rec;
  return *id;
}

base::Result<void> PodWorker::sync_containers(PodRecord& rec, const json& pod, PodRuntimeView& view) {
  if (deps_.seams.setup_volumes) {
    if (auto v = deps_.seams.setup_volumes(pod); !v) {
      deps_.events->warning(pod, "FailedMount", v.error().message());
      return v;
    }
  }
  bool created = false;
  auto sandbox_id = ensure_sandbox(rec, pod, view, &created);
  if (!sandbox_id) return base::error(sandbox_id.error());
  if (sandbox_id->empty()) return {};  // not restarted (restart policy)
  if (created) {
    auto fresh = read_pod_runtime(*deps_.runtime, pod_uid(pod));
    if (!fresh) return base::error(fresh.error());
    view = std::move(*fresh);
  }
  const SandboxStatus* sandbox = view.latest_sandbox();
  SandboxConfig sandbox_config = make_sandbox_config(pod, sandbox ? sandbox->attempt : 0, deps_.sandbox);
  std::string policy = restart_policy(pod);
  std::string ip = probe_ip(pod, view);

  // Init containers, one at a time, in order. After a new sandbox they all run again.
  InitProgress init = init_progress(pod, view);
  if (!init.done) {
    const json& inits = init_containers(pod);
    if (init.running) return {};
    if (init.failed >= 0) {
      if (policy == "Never") {
        // The pod failed: nothing more will run here.
        (void)deps_.runtime->stop_pod_sandbox(*sandbox_id);
        return {};
      }
      start_container(rec, pod, inits[init.failed], *sandbox_id, sandbox_config, view);
      return {};
    }
    if (init.next >= 0) start_container(rec, pod, inits[init.next], *sandbox_id, sandbox_config, view);
    return {};
  }

  // App containers.
  int keep = 0, started_or_tried = 0;
  for (const auto& spec : app_containers(pod)) {
    std::string name = string_field(spec, "name");
    const ContainerStatus* s = view.latest(name);
    if (s && s->state == ContainerState::kRunning) {
      std::string message;
      bool restart = policy != "Never";
      if (hash_of(*s) != container_hash(spec)) {
        message = "Container " + name + " definition changed, will be restarted";
        restart = true;
      } else if (auto reason = deps_.probes ? deps_.probes->kill_reason(pod_uid(pod), name, s->id) : std::nullopt) {
        message = *reason;
        if (!restart) message = message.substr(0, message.find(", will be restarted"));
      } else {
        ++keep;
        continue;
      }
      kill_container(pod, *s, grace_period_seconds(pod), message, ip);
      if (!restart) continue;
      auto refreshed = read_pod_runtime(*deps_.runtime, pod_uid(pod));
      if (!refreshed) return base::error(refreshed.error());
      view = std::move(*refreshed);
      ++started_or_tried;
      start_container(rec, pod, spec, *sandbox_id, sandbox_config, view);
      continue;
    }
    if (s && s->state == ContainerState::kExited && !should_restart(policy, s->exit_code)) continue;
    if (s && s->state == ContainerState::kCreated) (void)deps_.runtime->remove_container(s->id);
    ++started_or_tried;
    start_container(rec, pod, spec, *sandbox_id, sandbox_config, view);
  }
  if (keep == 0 && started_or_tried == 0) {
    // Everything has run to completion under the restart policy: the sandbox can go.
    (void)deps_.runtime->stop_pod_sandbox(*sandbox_id);
  }
  return {};
}

void PodWorker::prune(const PodRuntimeView& view) {
  std::map<std::string, int> seen;
  std::map<std::string, int> per_sandbox;
  for (const auto& c : view.containers) {
    int n = ++seen[container_name_of(c)];
    if (n > 2 && c.state == ContainerState::kExited) {
      (void)deps_.runtime->remove_container(c.id);
    } else {
      ++per_sandbox[c.sandbox_id];
    }
  }
  for (size_t i = 1; i < view.sandboxes.size(); ++i) {
    const auto& sb = view.sandboxes[i];
    if (sb.state == SandboxState::kNotReady && per_sandbox[sb.id] == 0) (void)deps_.runtime->remove_pod_sandbox(sb.id);
  }
}

}  // namespace kite::agent::pods
