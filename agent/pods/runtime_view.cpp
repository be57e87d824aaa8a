#include "agent/pods/runtime_view.h"

#include <algorithm>

#include "agent/pods/pod_spec.h"

namespace kite::agent::pods {

std::string label_of(const Labels& labels, const std::string& key) {
  auto it = labels.find(key);
  return it == labels.end() ? "" : it->second;
}

base::Clock::time_point time_of(UnixNanos ns) {
  return base::Clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(ns)));
}

std::string container_name_of(const ContainerStatus& c) {
  std::string name = label_of(c.labels, kLabelContainerName);
  return name.empty() ? c.name : name;
}

int restart_count_of(const ContainerStatus& c) {
  std::string v = label_of(c.annotations, kAnnotationRestartCount);
  try {
    return v.empty() ? static_cast<int>(c.attempt) : std::stoi(v);
  } catch (...) {
    return static_cast<int>(c.attempt);
  }
}

std::string hash_of(const ContainerStatus& c) { return label_of(c.annotations, kAnnotationHash); }

const SandboxStatus* PodRuntimeView::latest_sandbox() const { return sandboxes.empty() ? nullptr : &sandboxes[0]; }

int PodRuntimeView::ready_sandboxes() const {
  return static_cast<int>(std::count_if(sandboxes.begin(), sandboxes.end(),
                                        [](const SandboxStatus& s) { return s.state == SandboxState::kReady; }));
}

const ContainerStatus* PodRuntimeView::latest(const std::string& name) const {
  for (const auto& c : containers) {
    if (container_name_of(c) == name) return &c;
  }
  return nullptr;
}

const ContainerStatus* PodRuntimeView::previous(const std::string& name) const {
  bool seen = false;
  for (const auto& c : containers) {
    if (container_name_of(c) != name) continue;
    if (seen) return &c;
    seen = true;
  }
  return nullptr;
}

void sort_newest_first(PodRuntimeView& view) {
  std::stable_sort(view.sandboxes.begin(), view.sandboxes.end(), [](const SandboxStatus& a, const SandboxStatus& b) {
    if (a.created_at != b.created_at) return a.created_at > b.created_at;
    return a.attempt > b.attempt;
  });
  std::stable_sort(view.containers.begin(), view.containers.end(),
                   [](const ContainerStatus& a, const ContainerStatus& b) {
                     int ra = restart_count_of(a), rb = restart_count_of(b);
                     if (a.created_at != b.created_at) return a.created_at > b.created_at;
                     return ra > rb;
                   });
}

std::string runtime_signature(const std::vector<SandboxStatus>& sandboxes,
                              const std::vector<ContainerStatus>& containers) {
  std::vector<std::string> parts;
  for (const auto& sb : sandboxes) {
    parts.push_back("s" + sb.id + (sb.state == SandboxState::kReady ? "r" : "n"));
  }
  for (const auto& c : containers) {
    const char* state = c.state == ContainerState::kCreated   ? "c"
                        : c.state == ContainerState::kRunning ? "r"
                        : c.state == ContainerState::kExited  ? "x"
                                                              : "u";
    parts.push_back("c" + c.id + state);
  }
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (const auto& p : parts) out += p + ";";
  return out;
}

Result<PodRuntimeView> read_pod_runtime(Runtime& runtime, const std::string& pod_uid) {
  PodRuntimeView view;
  SandboxFilter sf;
  sf.label_selector = {{kLabelPodUid, pod_uid}};
  auto sandboxes = runtime.list_pod_sandboxes(sf);
  if (!sandboxes) return base::error(sandboxes.error());
  ContainerFilter cf;
  cf.label_selector = {{kLabelPodUid, pod_uid}};
  auto containers = runtime.list_containers(cf);
  if (!containers) return base::error(containers.error());
  // CRI's List* replies carry no IPs, times, exit codes or log paths: as kubelet, ask for
  // each one's full status. One that vanished in between is left out (the next relist sees it).
  for (auto& s : *sandboxes) {
    auto full = runtime.pod_sandbox_status(s.id);
    if (full) {
      view.sandboxes.push_back(std::move(*full));
    } else if (full.error().reason() != base::Reason::NotFound) {
      return base::error(full.error());
    }
  }
  for (auto& c : *containers) {
    auto full = runtime.container_status(c.id);
    if (full) {
      if (full->sandbox_id.empty()) full->sandbox_id = c.sandbox_id;
      view.containers.push_back(std::move(*full));
    } else if (full.error().reason() != base::Reason::NotFound) {
      return base::error(full.error());
    }
  }
  sort_newest_first(view);
  return view;
}

}  // namespace kite::agent::pods
