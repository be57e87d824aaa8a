#include "agent/pods/container_config.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "agent/pods/pod_spec.h"
#include "storage/volumes/resource_field.h"

namespace kite::agent::pods {
namespace {

constexpr int64_t kMinShares = 2;
constexpr int64_t kMaxShares = 262144;
constexpr int64_t kMinQuota = 1000;
constexpr int64_t kCfsPeriod = 100000;

// requests/limits[resource] in thousandths (0 when unset or invalid).
int64_t resource_milli(const json& container, const char* kind, const char* resource) {
  auto res = container.find("resources");
  if (res == container.end() || !res->is_object()) return 0;
  auto list = res->find(kind);
  if (list == res->end() || !list->is_object()) return 0;
  auto q = list->find(resource);
  if (q == list->end()) return 0;
  auto milli = storage::quantity_milli(*q);
  return milli ? static_cast<int64_t>(std::ceil(*milli)) : 0;
}

bool has_resource(const json& container, const char* kind, const char* resource) {
  auto res = container.find("resources");
  if (res == container.end() || !res->is_object()) return false;
  auto list = res->find(kind);
  return list != res->end() && list->is_object() && list->contains(resource);
}

std::vector<std::string> capability_names(const json& caps, const char* key) {
  std::vector<std::string> out;
  for (const auto& c : caps.value(key, json::array())) {
    if (!c.is_string()) continue;
    std::string name = c.get<std::string>();
    if (name.rfind("CAP_", 0) == 0) name = name.substr(4);
    out.push_back(name);
  }
  return out;
}

std::vector<std::string> string_list(const json& container, const char* key) {
  std::vector<std::string> out;
  auto it = container.find(key);
  if (it == container.end() || !it->is_array()) return out;
  for (const auto& s : *it) {
    if (s.is_string()) out.push_back(s.get<std::string>());
  }
  return out;
}

}  // namespace

int64_t milli_cpu_to_shares(int64_t milli) {
  if (milli == 0) return kMinShares;
  int64_t shares = milli * 1024 / 1000;
  return std::clamp(shares, kMinShares, kMaxShares);
}

int64_t milli_cpu_to_quota(int64_t milli, int64_t period) {
  if (milli == 0) return 0;
  return std::max(milli * period / 1000, kMinQuota);
}

std::string pod_qos_class(const json& pod) {
  bool any = false, guaranteed = true;
  for (const auto* list : {&init_containers(pod), &app_containers(pod)}) {
    for (const auto& c : *list) {
      for (const char* r : {"cpu", "memory"}) {
        bool req = has_resource(c, "requests", r), lim = has_resource(c, "limits", r);
        if (req || lim) any = true;
        if (!lim) {
          guaranteed = false;
        } else if (req && resource_milli(c, "requests", r) != resource_milli(c, "limits", r)) {
          guaranteed = false;
        }
      }
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

ContainerResources container_resources(const json& pod, const json& container, int64_t memory_capacity_bytes) {
  ContainerResources r;
  int64_t cpu_request = has_resource(container, "requests", "cpu") ? resource_milli(container, "requests", "cpu")
                                                                   : resource_milli(container, "limits", "cpu");
  int64_t cpu_limit = resource_milli(container, "limits", "cpu");
  r.cpu_shares = milli_cpu_to_shares(cpu_request);
  if (cpu_limit > 0) {
    r.cpu_period = kCfsPeriod;
    r.cpu_quota = milli_cpu_to_quota(cpu_limit, kCfsPeriod);
  }
  r.memory_limit_bytes = resource_milli(container, "limits", "memory") / 1000;
  std::string qos = pod_qos_class(pod);
  if (qos == "Guaranteed") {
    r.oom_score_adj = -997;
  } else if (qos == "BestEffort") {
    r.oom_score_adj = 1000;
  } else {
    int64_t request = has_resource(container, "requests", "memory") ? resource_milli(container, "requests", "memory") / 1000
                                                                    : r.memory_limit_bytes;
    int64_t adj = memory_capacity_bytes > 0 ? 1000 - (1000 * request) / memory_capacity_bytes : 1000;
    r.oom_score_adj = std::clamp<int64_t>(adj, 2, 999);
  }
  return r;
}

base::Result<ContainerSecurity> container_security(const json& pod, const json& container) {
  ContainerSecurity s;
  json psc = pod.value("spec", json::object()).value("securityContext", json::object());
  json csc = container.value("securityContext", json::object());
  if (!psc.is_object()) psc = json::object();
  if (!csc.is_object()) csc = json::object();
  auto pick = [&](const char* key) -> std::optional<int64_t> {
    if (csc.contains(key) && csc[key].is_number()) return csc[key].get<int64_t>();
    if (psc.contains(key) && psc[key].is_number()) return psc[key].get<int64_t>();
    return std::nullopt;
  };
  s.run_as_user = pick("runAsUser");
  s.run_as_group = pick("runAsGroup");
  bool non_root = csc.contains("runAsNonRoot") ? csc["runAsNonRoot"].is_boolean() && csc["runAsNonRoot"].get<bool>()
                                               : psc.value("runAsNonRoot", false);
  if (non_root && s.run_as_user && *s.run_as_user == 0) {
    return base::error(base::Reason::BadRequest, "container's runAsUser breaks non-root policy (pod: \"" +
                                                     format_pod(pod) + "\", container: " +
                                                     string_field(container, "name") + ")");
  }
  for (const auto& g : psc.value("supplementalGroups", json::array())) {
    if (g.is_number()) s.supplemental_groups.push_back(g.get<int64_t>());
  }
  if (psc.contains("fsGroup") && psc["fsGroup"].is_number()) s.supplemental_groups.push_back(psc["fsGroup"].get<int64_t>());
  s.privileged = csc.value("privileged", false);
  s.readonly_rootfs = csc.value("readOnlyRootFilesystem", false);
  if (csc.contains("allowPrivilegeEscalation") && csc["allowPrivilegeEscalation"].is_boolean()) {
    s.no_new_privs = !csc["allowPrivilegeEscalation"].get<bool>();
  }
  if (csc.contains("capabilities") && csc["capabilities"].is_object()) {
    s.add_capabilities = capability_names(csc["capabilities"], "add");
    s.drop_capabilities = capability_names(csc["capabilities"], "drop");
  }
  return s;
}

base::Result<ContainerConfig> make_container_config(const json& pod, const json& container,
                                                    const ContainerInputs& inputs) {
  auto security = container_security(pod, container);
  if (!security) return base::error(security.error());
  ContainerConfig c;
  c.name = string_field(container, "name");
  c.attempt = static_cast<uint32_t>(inputs.restart_count);
  c.image = inputs.image.empty() ? string_field(container, "image") : inputs.image;
  c.command = string_list(container, "command");
  c.args = string_list(container, "args");
  c.working_dir = string_field(container, "workingDir");
  c.envs = inputs.env;
  c.mounts = inputs.mounts;
  c.labels = container_labels(pod, c.name);
  c.annotations = container_annotations(pod, container, inputs.restart_count);
  c.log_path = container_log_path(c.name, inputs.restart_count);
  c.stdin_ = container.value("stdin", false);
  c.stdin_once = container.value("stdinOnce", false);
  c.tty = container.value("tty", false);
  c.resources = container_resources(pod, container, inputs.memory_capacity_bytes);
  c.security = std::move(*security);
  return c;
}

int64_t machine_memory_bytes() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long page_size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page_size > 0 ? static_cast<int64_t>(pages) * page_size : 0;
}

}  // namespace kite::agent::pods
