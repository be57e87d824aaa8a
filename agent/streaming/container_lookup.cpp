#include "agent/streaming/container_lookup.h"

#include <algorithm>

namespace kite::agent::streaming {
namespace {

constexpr const char* kPodName = "io.kubernetes.pod.name";
constexpr const char* kPodNamespace = "io.kubernetes.pod.namespace";
constexpr const char* kPodUid = "io.kubernetes.pod.uid";
constexpr const char* kContainerName = "io.kubernetes.container.name";

std::string label(const Labels& labels, const std::string& key) {
  auto it = labels.find(key);
  return it == labels.end() ? std::string() : it->second;
}

}  // namespace

Result<SandboxStatus> find_pod_sandbox(Runtime& runtime, const std::string& namespace_, const std::string& pod,
                                       const std::string& uid) {
  SandboxFilter filter;
  filter.label_selector = {{kPodNamespace, namespace_}, {kPodName, pod}};
  if (!uid.empty()) filter.label_selector[kPodUid] = uid;
  auto sandboxes = runtime.list_pod_sandboxes(filter);
  if (!sandboxes) return std::unexpected(sandboxes.error());
  if (sandboxes->empty())
    return base::error(base::Reason::NotFound, "pod \"" + pod + "\" not found in namespace \"" + namespace_ + "\"");
  auto best = std::max_element(sandboxes->begin(), sandboxes->end(), [](const SandboxStatus& a, const SandboxStatus& b) {
    bool ra = a.state == SandboxState::kReady, rb = b.state == SandboxState::kReady;
    if (ra != rb) return rb;
    return a.created_at < b.created_at;
  });
  return *best;
}

Result<ContainerStatus> find_container(Runtime& runtime, const ContainerRef& ref, bool previous) {
  ContainerFilter filter;
  filter.label_selector = {{kPodNamespace, ref.namespace_}, {kPodName, ref.pod}, {kContainerName, ref.container}};
  auto sandbox = find_pod_sandbox(runtime, ref.namespace_, ref.pod, ref.uid);
  if (!ref.uid.empty()) {
    filter.label_selector[kPodUid] = ref.uid;
  } else if (sandbox) {
    if (auto uid = label(sandbox->labels, kPodUid); !uid.empty()) filter.label_selector[kPodUid] = uid;
  } else if (sandbox.error().reason() != base::Reason::NotFound) {
    return std::unexpected(sandbox.error());
  }
  auto containers = runtime.list_containers(filter);
  if (!containers) return std::unexpected(containers.error());
  auto& list = *containers;
  std::sort(list.begin(), list.end(), [](const ContainerStatus& a, const ContainerStatus& b) {
    if (a.attempt != b.attempt) return a.attempt > b.attempt;
    return a.created_at > b.created_at;
  });
  if (list.empty())
    return base::error(base::Reason::NotFound, "container \"" + ref.container + "\" in pod \"" + ref.pod +
                                                   "\" (namespace \"" + ref.namespace_ + "\") not found");
  if (previous && list.size() < 2)
    return base::error(base::Reason::BadRequest, "previous terminated container \"" + ref.container + "\" in pod \"" +
                                                     ref.pod + "\" not found");
  ContainerStatus chosen = list[previous ? 1 : 0];
  // ListContainers does not carry the log path; the status does.
  if (auto status = runtime.container_status(chosen.id)) {
    std::string sandbox_id = chosen.sandbox_id;
    Labels labels = chosen.labels;
    chosen = std::move(*status);
    if (chosen.sandbox_id.empty()) chosen.sandbox_id = sandbox_id;
    if (chosen.labels.empty()) chosen.labels = std::move(labels);
  }
  return chosen;
}

std::string container_log_path(const ContainerStatus& container, const ContainerRef& ref, const std::string& log_root) {
  if (!container.log_path.empty()) return container.log_path;
  return log_root + "/" + ref.namespace_ + "_" + ref.pod + "_" + label(container.labels, kPodUid) + "/" + ref.container +
         "/" + std::to_string(container.attempt) + ".log";
}

}  // namespace kite::agent::streaming
