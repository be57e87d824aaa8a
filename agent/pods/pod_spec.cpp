#include "agent/pods/pod_spec.h"

#include <cstdio>

namespace kite::agent::pods {
namespace {

const json& empty_array() {
  static const json empty = json::array();
  return empty;
}

const json& meta(const json& pod) {
  static const json empty = json::object();
  auto it = pod.find("metadata");
  return it != pod.end() && it->is_object() ? *it : empty;
}

const json& spec(const json& pod) {
  static const json empty = json::object();
  auto it = pod.find("spec");
  return it != pod.end() && it->is_object() ? *it : empty;
}

}  // namespace

int64_t int_field(const json& obj, const char* key, int64_t fallback) {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(key);
  if (it == obj.end()) return fallback;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_number()) return static_cast<int64_t>(it->get<double>());
  if (it->is_string()) {
    try {
      return std::stoll(it->get<std::string>());
    } catch (...) {
      return fallback;
    }
  }
  return fallback;
}

std::string string_field(const json& obj, const char* key, const std::string& fallback) {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() && !it->get_ref<const std::string&>().empty() ? it->get<std::string>()
                                                                                           : fallback;
}

std::string pod_name(const json& pod) { return string_field(meta(pod), "name"); }
std::string pod_namespace(const json& pod) { return string_field(meta(pod), "namespace", "default"); }
std::string pod_uid(const json& pod) { return string_field(meta(pod), "uid"); }

std::string format_pod(const json& pod) {
  return pod_name(pod) + "_" + pod_namespace(pod) + "(" + pod_uid(pod) + ")";
}

bool is_deleting(const json& pod) {
  auto it = meta(pod).find("deletionTimestamp");
  return it != meta(pod).end() && it->is_string();
}

std::string restart_policy(const json& pod) { return string_field(spec(pod), "restartPolicy", "Always"); }

const json& app_containers(const json& pod) {
  auto it = spec(pod).find("containers");
  return it != spec(pod).end() && it->is_array() ? *it : empty_array();
}

const json& init_containers(const json& pod) {
  auto it = spec(pod).find("initContainers");
  return it != spec(pod).end() && it->is_array() ? *it : empty_array();
}

json find_container(const json& pod, const std::string& name) {
  for (const auto* list : {&init_containers(pod), &app_containers(pod)}) {
    for (const auto& c : *list) {
      if (string_field(c, "name") == name) return c;
    }
  }
  return nullptr;
}

bool is_init_container(const json& pod, const std::string& name) {
  for (const auto& c : init_containers(pod)) {
    if (string_field(c, "name") == name) return true;
  }
  return false;
}

bool should_restart(const std::string& policy, int32_t exit_code) {
  if (policy == "Never") return false;
  if (policy == "OnFailure") return exit_code != 0;
  return true;
}

std::string image_pull_policy(const json& container) {
  std::string policy = string_field(container, "imagePullPolicy");
  if (!policy.empty()) return policy;
  std::string image = string_field(container, "image");
  if (image.find('@') != std::string::npos) return "IfNotPresent";
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  bool has_tag = colon != std::string::npos && (slash == std::string::npos || colon > slash);
  if (!has_tag || image.substr(colon + 1) == "latest") return "Always";
  return "IfNotPresent";
}

int64_t grace_period_seconds(const json& pod) {
  if (is_deleting(pod)) {
    auto it = meta(pod).find("deletionGracePeriodSeconds");
    if (it != meta(pod).end() && it->is_number()) return std::max<int64_t>(0, it->get<int64_t>());
  }
  return std::max<int64_t>(0, int_field(spec(pod), "terminationGracePeriodSeconds", 30));
}

std::string container_hash(const json& container) {
  std::string canonical = container.dump();
  uint32_t h = 2166136261u;
  for (unsigned char c : canonical) {
    h ^= c;
    h *= 16777619u;
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "%x", h);
  return buf;
}

Labels sandbox_labels(const json& pod) {
  Labels labels;
  auto it = meta(pod).find("labels");
  if (it != meta(pod).end() && it->is_object()) {
    for (const auto& [k, v] : it->items()) {
      if (v.is_string()) labels[k] = v.get<std::string>();
    }
  }
  labels[kLabelPodName] = pod_name(pod);
  labels[kLabelPodNamespace] = pod_namespace(pod);
  labels[kLabelPodUid] = pod_uid(pod);
  return labels;
}

Labels sandbox_annotations(const json& pod) {
  Labels annotations;
  auto it = meta(pod).find("annotations");
  if (it != meta(pod).end() && it->is_object()) {
    for (const auto& [k, v] : it->items()) {
      if (v.is_string()) annotations[k] = v.get<std::string>();
    }
  }
  annotations[kAnnotationConfigSource] = "api";
  return annotations;
}

Labels container_labels(const json& pod, const std::string& container_name) {
  return {{kLabelPodName, pod_name(pod)},
          {kLabelPodNamespace, pod_namespace(pod)},
          {kLabelPodUid, pod_uid(pod)},
          {kLabelContainerName, container_name}};
}

Labels container_annotations(const json& pod, const json& container, int restart_count) {
  return {{kAnnotationHash, container_hash(container)},
          {kAnnotationRestartCount, std::to_string(restart_count)},
          {kAnnotationGrace, std::to_string(int_field(spec(pod), "terminationGracePeriodSeconds", 30))},
          {kAnnotationTerminationMessagePath,
           string_field(container, "terminationMessagePath", "/dev/termination-log")}};
}

std::string pod_log_directory(const std::string& log_root, const json& pod) {
  return log_root + "/" + pod_namespace(pod) + "_" + pod_name(pod) + "_" + pod_uid(pod);
}

std::string container_log_path(const std::string& container_name, int restart_count) {
  return container_name + "/" + std::to_string(restart_count) + ".log";
}

}  // namespace kite::agent::pods
