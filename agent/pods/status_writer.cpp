// PodWorker: writing pods/status when it changed.
#include <fstream>
#include <vector>

#include "agent/pods/pod_spec.h"
#include "agent/pods/pod_worker.h"

namespace kite::agent::pods {
namespace {

std::string read_termination_message(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::string text(4096, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  return text;
}

// The end of a CRI log file ("<time> <stream> <P|F> <text>" lines) as plain text: at most the
// last 80 lines and 2048 bytes, as kubelet's FallbackToLogsOnError takes.
std::string tail_of_cri_log(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::vector<std::string> lines;
  std::string line, partial;
  while (std::getline(in, line)) {
    size_t a = line.find(' ');
    size_t b = a == std::string::npos ? a : line.find(' ', a + 1);
    size_t c = b == std::string::npos ? b : line.find(' ', b + 1);
    if (c == std::string::npos) continue;
    partial += line.substr(c + 1);
    if (line.compare(b + 1, 1, "P") == 0) continue;
    lines.push_back(partial + "\n");
    partial.clear();
    if (lines.size() > 80) lines.erase(lines.begin());
  }
  std::string text;
  for (const auto& l : lines) text += l;
  if (text.size() > 2048) text = text.substr(text.size() - 2048);
  return text;
}

}  // namespace

json merge_patch_diff(const json& from, const json& to) {
  if (!from.is_object() || !to.is_object()) return from == to ? json(nullptr) : to;
  json patch = json::object();
  for (const auto& [key, value] : to.items()) {
    auto old = from.find(key);
    if (old == from.end()) {
      patch[key] = value;
    } else if (*old != value) {
      if (old->is_object() && value.is_object()) {
        json sub = merge_patch_diff(*old, value);
        if (!sub.is_null()) patch[key] = sub;
      } else {
        patch[key] = value;
      }
    }
  }
  for (const auto& [key, value] : from.items()) {
    if (!to.contains(key)) patch[key] = nullptr;
  }
  return patch.empty() ? json(nullptr) : patch;
}

base::Result<void> PodWorker::write_status(PodRecord& rec, const json& pod, const PodRuntimeView& view,
                                           bool final_phase) {
  // Base the new status on what was last written (the informer may not have seen it yet),
  // keeping conditions others added since.
  json effective = pod;
  json server_status = pod.value("status", json::object());
  if (!server_status.is_object()) server_status = json::object();
  if (rec.last_status.is_object()) {
    json base = rec.last_status;
    for (const auto& c : server_status.value("conditions", json::array())) {
      bool known = false;
      for (const auto& b : base.value("conditions", json::array())) {
        if (b.value("type", "") == c.value("type", "")) known = true;
      }
      if (!known) base["conditions"].push_back(c);
    }
    if (is_terminal_phase(server_status.value("phase", ""))) base["phase"] = server_status["phase"];
    effective["status"] = base;
  }
  StatusInputs in;
  in.pod = &effective;
  in.view = &view;
  in.waiting = rec.waiting;
  std::string uid = pod_uid(pod);
  if (deps_.probes) {
    in.ready = [&](const std::string& name, const std::string& id) { return deps_.probes->ready(uid, name, id); };
    in.started = [&](const std::string& name, const std::string& id) { return deps_.probes->started(uid, name, id); };
  }
  in.termination_message = [&](const ContainerStatus& c) {
    std::string name = container_name_of(c);
    auto it = rec.termination_logs.find(name);
    std::string message = it == rec.termination_logs.end() ? std::string() : read_termination_message(it->second);
    if (message.empty() && c.exit_code != 0 &&
        string_field(find_container(pod, name), "terminationMessagePolicy") == "FallbackToLogsOnError") {
      message = tail_of_cri_log(c.log_path);
    }
    return message;
  };
  in.runtime_name = deps_.runtime_name;
  in.node_ip = deps_.node_ip;
  in.now = deps_.clock->now();
  in.pod_is_terminal = final_phase;
  json status = generate_pod_status(in);
  if (status == rec.last_status) return {};
  json patch = merge_patch_diff(server_status, status);
  if (!patch.is_null()) {
    auto r = deps_.client->patch(client::resources::kPods, pod_namespace(pod), pod_name(pod), client::PatchType::kMerge,
                                 json{{"status", patch}}, "status");
    if (!r) {
      if (r.error().reason() == base::Reason::NotFound) return {};
      return base::error(r.error());
    }
  }
  rec.last_status = std::move(status);
  return {};
}

}  // namespace kite::agent::pods
