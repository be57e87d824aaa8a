// PodWorker: the end of a pod's life on this node: graceful deletion with confirmation,
// terminal pods, and pods that vanished from the API.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "agent/pods/pod_spec.h"
#include "agent/pods/pod_worker.h"
#include "base/log.h"

namespace kite::agent::pods {
namespace {

void stop_sandboxes(Runtime& runtime, const PodRuntimeView& view) {
  for (const auto& sb : view.sandboxes) {
    if (sb.state == SandboxState::kReady) (void)runtime.stop_pod_sandbox(sb.id);
  }
}

base::Result<void> remove_everything(Runtime& runtime, const PodRuntimeView& view) {
  for (const auto& c : view.containers) {
    if (auto r = runtime.remove_container(c.id); !r && r.error().reason() != base::Reason::NotFound) return r;
  }
  for (const auto& sb : view.sandboxes) {
    if (auto r = runtime.stop_pod_sandbox(sb.id); !r && r.error().reason() != base::Reason::NotFound) return r;
    if (auto r = runtime.remove_pod_sandbox(sb.id); !r && r.error().reason() != base::Reason::NotFound) return r;
  }
  return {};
}

// runc leaves the pod's cgroup directory behind: remove it (cgroup v2, or every v1 hierarchy).
void remove_cgroup(const std::string& cgroup) {
  if (cgroup.empty()) return;
  std::error_code ec;
  if (std::filesystem::exists("/sys/fs/cgroup/cgroup.controllers", ec)) {
    ::rmdir(("/sys/fs/cgroup" + cgroup).c_str());
    return;
  }
  for (const auto& entry : std::filesystem::directory_iterator("/sys/fs/cgroup", ec)) {
    ::rmdir((entry.path().string() + cgroup).c_str());
  }
}

}  // namespace

void PodWorker::release(const std::string& uid, const std::string& log_dir, const std::string& cgroup) {
  if (deps_.probes) deps_.probes->remove_pod(uid);
  crash_backoff_.forget_prefix(uid + "_");
  deps_.images->forget_pod(uid);
  if (!log_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(log_dir, ec);
  }
  remove_cgroup(cgroup);
}

base::Result<void> PodWorker::terminate(PodRecord& rec, const json& pod) {
  if (rec.deletion_confirmed) return {};
  std::string uid = pod_uid(pod);
  auto view = read_pod_runtime(*deps_.runtime, uid);
  if (!view) return base::error(view.error());
  if (deps_.probes) deps_.probes->remove_pod(uid);
  kill_all(&pod, *view, grace_period_seconds(pod), probe_ip(pod, *view));
  stop_sandboxes(*deps_.runtime, *view);
  auto stopped = read_pod_runtime(*deps_.runtime, uid);
  if (!stopped) return base::error(stopped.error());
  // The last status shows how the containers ended (best effort: the object is going away).
  if (auto w = write_status(rec, pod, *stopped, true); !w) {
    KITE_LOG(warn, "pods") << "final status of " << format_pod(pod) << ": " << w.error().message();
  }
  if (auto r = remove_everything(*deps_.runtime, *stopped); !r) return r;
  if (deps_.seams.teardown_volumes) {
    if (auto r = deps_.seams.teardown_volumes(uid); !r) return r;
  }
  release(uid, pod_log_directory(deps_.sandbox.log_root, pod), pod_cgroup_parent(pod, deps_.sandbox));
  client::DeleteOptions options;
  options.grace_period_seconds = 0;
  options.precondition_uid = uid;
  auto removed = deps_.client->remove(client::resources::kPods, pod_namespace(pod), pod_name(pod), options);
  if (!removed && removed.error().reason() != base::Reason::NotFound &&
      removed.error().reason() != base::Reason::Conflict) {
    return base::error(removed.error());
  }
  rec.deletion_confirmed = true;
  return {};
}

base::Result<void> PodWorker::finish_terminal(PodRecord& rec, const json& pod) {
  if (rec.terminal_done) return {};
  std::string uid = pod_uid(pod);
  auto view = read_pod_runtime(*deps_.runtime, uid);
  if (!view) return base::error(view.error());
  if (deps_.probes) deps_.probes->remove_pod(uid);
  kill_all(&pod, *view, grace_period_seconds(pod), probe_ip(pod, *view));
  stop_sandboxes(*deps_.runtime, *view);
  // The containers stay (logs, `kubectl logs`); the volumes go, as kubelet unmounts them.
  if (deps_.seams.teardown_volumes) {
    if (auto r = deps_.seams.teardown_volumes(uid); !r) return r;
  }
  rec.terminal_done = true;
  return {};
}

base::Result<void> PodWorker::remove_orphan(PodRecord& rec) {
  auto view = read_pod_runtime(*deps_.runtime, rec.uid);
  if (!view) return base::error(view.error());
  if (view->empty() && rec.removed) return {};
  int64_t grace = 30;
  std::string ns, name;
  for (const auto& c : view->containers) {
    std::string g = label_of(c.annotations, kAnnotationGrace);
    if (!g.empty()) grace = std::atoll(g.c_str());
  }
  for (const auto& sb : view->sandboxes) {
    ns = sb.namespace_.empty() ? label_of(sb.labels, kLabelPodNamespace) : sb.namespace_;
    name = sb.name.empty() ? label_of(sb.labels, kLabelPodName) : sb.name;
  }
  kill_all(nullptr, *view, grace, "");
  if (auto r = remove_everything(*deps_.runtime, *view); !r) return r;
  if (deps_.seams.teardown_volumes) {
    if (auto r = deps_.seams.teardown_volumes(rec.uid); !r) return r;
  }
  std::string log_dir = ns.empty() ? "" : deps_.sandbox.log_root + "/" + ns + "_" + name + "_" + rec.uid;
  std::string cgroup = deps_.sandbox.cgroup_parent.empty() ? "" : deps_.sandbox.cgroup_parent + "/pod" + rec.uid;
  release(rec.uid, log_dir, cgroup);
  rec.removed = true;
  return {};
}

}  // namespace kite::agent::pods
