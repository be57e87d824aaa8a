#include "agent/runtime/fake_runtime.h"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <functional>

namespace kite::agent {
namespace {

UnixNanos to_nanos(base::Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// "busybox" -> "busybox:latest"; references with a tag or digest are kept.
std::string normalize_image(const std::string& image) {
  if (image.find('@') != std::string::npos) return image;
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) return image;
  return image + ":latest";
}

std::string image_id(const std::string& normalized) {
  size_t h = std::hash<std::string>{}(normalized);
  char buf[80];
  std::snprintf(buf, sizeof buf, "sha256:%016zx%016zx%016zx%016zx", h, h ^ 0x5bd1e995, h * 31, h + 7);
  return buf;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

bool labels_match(const Labels& have, const Labels& want) {
  for (const auto& [k, v] : want) {
    auto it = have.find(k);
    if (it == have.end() || it->second != v) return false;
  }
  return true;
}

base::Status not_found(const std::string& what, const std::string& id) {
  return base::Status(base::Reason::NotFound, "an error occurred when try to find " + what + " \"" + id + "\": not found");
}

}  // namespace

struct FakeRuntime::State {
  const base::Clock& clock;
  mutable std::mutex mu;
  mutable std::condition_variable changed;
  uint64_t version = 0;

  struct Sandbox {
    SandboxStatus status;
    SandboxConfig config;
  };
  struct Container {
    ContainerStatus status;
    ContainerConfig config;
  };
  struct Failure {
    base::Status status;
    int times;
  };

  int next_id = 1;
  int next_ip = 2;
  std::map<std::string, Sandbox> sandboxes;
  std::map<std::string, Container> containers;
  std::map<std::string, ImageInfo> images;  // by normalized reference
  std::map<std::string, std::string> pull_failures;
  std::map<std::string, std::optional<RegistryAuth>> pull_auth;
  std::map<std::string, ExecResult> exec_results;
  std::map<std::string, base::Status> exec_errors;
  int32_t stop_exit_code = 137;
  std::map<std::string, Failure> failures;
  std::vector<FakeRuntimeCall> calls;

  explicit State(const base::Clock& c) : clock(c) {}

  // Records the call and returns the injected failure, if any. Caller holds `mu`.
  std::optional<base::Status> record(const std::string& method, const std::string& target,
                                     const std::string& detail = "") {
    calls.push_back({method, target, detail});
    bump();
    auto it = failures.find(method);
    if (it == failures.end()) return std::nullopt;
    base::Status s = it->second.status;
    if (it->second.times > 0 && --it->second.times == 0) failures.erase(it);
    return s;
  }
  void bump() {
    ++version;
    changed.notify_all();
  }
  std::string new_id(const char* prefix) { return std::string(prefix) + std::to_string(next_id++); }

  void finish(Container& c, int32_t code, const std::string& reason) {
    auto& st = c.status;
    if (st.state == ContainerState::kExited) return;
    st.state = ContainerState::kExited;
    st.finished_at = to_nanos(clock.now());
    st.exit_code = code;
    st.reason = !reason.empty() ? reason : (code == 0 ? "Completed" : "Error");
  }

  void stop_sandbox_containers(const std::string& sandbox_id) {
    for (auto& [id, c] : containers) {
      if (c.status.sandbox_id == sandbox_id &&
          (c.status.state == ContainerState::kRunning || c.status.state == ContainerState::kCreated)) {
        finish(c, 137, "Error");
      }
    }
  }
};

FakeRuntime::FakeRuntime(const base::Clock& clock) : state_(std::make_unique<State>(clock)) {}
FakeRuntime::~FakeRuntime() = default;

Result<RuntimeVersion> FakeRuntime::version() {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record("version", "")) return base::error(*f);
  return RuntimeVersion{"containerd", "1.6.20", "v1"};
}

Result<std::string> FakeRuntime::run_pod_sandbox(const SandboxConfig& config) {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record("run_pod_sandbox", config.namespace_ + "/" + config.name)) return base::error(*f);
  State::Sandbox sb;
  sb.config = config;
  auto& st = sb.status;
  st.id = state_->new_id("sb-");
  st.name = config.name;
  st.namespace_ = config.namespace_;
  st.uid = config.uid;
  st.attempt = config.attempt;
  st.state = SandboxState::kReady;
  st.created_at = to_nanos(state_->clock.now());
  if (!config.host_network) st.ip = "10.42.0." + std::to_string(state_->next_ip++);
  st.labels = config.labels;
  st.annotations = config.annotations;
  std::string id = st.id;
  state_->sandboxes.emplace(id, std::move(sb));
  return id;
}

Result<void> FakeRuntime::stop_pod_sandbox(const std::string& sandbox_id) {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record("stop_pod_sandbox", sandbox_id)) return base::error(*f);
  auto it = state_->sandboxes.find(sandbox_id);
  if (it == state_->sandboxes.end()) return {};
  state_->stop_sandbox_containers(sandbox_id);
  it->second.status.state = SandboxState::kNotReady;
  return {};
}

Result<void> FakeRuntime::remove_pod_sandbox(const std::string& sandbox_id) {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record("remove_pod_sandbox", sandbox_id)) return base::error(*f);
  std::erase_if(state_->containers, [&](const auto& kv) { return kv.second.status.sandbox_id == sandbox_id; });
  state_->sandboxes.erase(sandbox_id);
  return {};
}

Result<SandboxStatus> FakeRuntime::pod_sandbox_status(const std::string& sandbox_id) {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record("pod_sandbox_status", sandbox_id)) return base::error(*f);
  auto it = state_->sandboxes.find(sandbox_id);
  if (it == state_->sandboxes.end()) return base::error(not_found("sandbox", sandbox_id));
  return it->second.status;
}

Result<std::vector<SandboxStatus>> FakeRuntime::list_pod_sandboxes(const SandboxFilter& filter) {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record("list_pod_sandboxes", filter.id)) return base::error(*f);
  std::vector<SandboxStatus> out;
  for (const auto& [id, sb] : state_->sandboxes) {
    if (!filter.id.empty() && filter.id != id) continue;
    if (filter.state && *filter.state != sb.status.state) continue;
    if (!labels_match(sb.status.labels, filter.label_selector)) continue;
    out.push_back(sb.status);
  }
  return out;
}

Result<std::string> FakeRuntime::create_container(const std::string& sandbox_id, const ContainerConfig& config,
                                                  const SandboxConfig&) {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record("create_container", config.name, sandbox_id)) return base::error(*f);
  auto sb = state_->sandboxes.find(sandbox_id);
  if (sb == state_->sandboxes.end()) return base::error(not_found("sandbox", sandbox_id));
  if (sb->second.status.state != SandboxState::kReady) {
    return base::error(base::Reason::InternalError, "sandbox container \"" + sandbox_id + "\" is not running");
  }
  auto image = state_->images.find(normalize_image(config.image));
  if (image == state_->images.end()) {
    return base::error(base::Reason::InternalError, "failed to get image \"" + config.image + "\": not found");
  }
  State::Container c;
  c.config = config;
  auto& st = c.status;
  st.id = state_->new_id("ctr-");
  st.sandbox_id = sandbox_id;
  st.name = config.name;
  st.attempt = config.attempt;
  st.state = ContainerState::kCreated;
  st.created_at = to_nanos(state_->clock.now());
  st.image = config.image;
  st.image_ref = image->second.id;
  st.log_path = sb->second.config.log_directory + "/" + config.log_path;
  st.labels = config.labels;
  st.annotations = config.annotations;
  std::string id = st.id;
  state_->containers.emplace(id, std::move(c));
  return id;
}

Result<void> FakeRuntime::start_container(const std::string& container_id) {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record("start_container", container_id)) return base::error(*f);
  auto it = state_->containers.find(container_id);
  if (it == state_->containers.end()) return base::error(not_found("container", container_id));
  auto& st = it->second.status;
  if (st.state != ContainerState::kCreated) {
    return base::error(base::Reason::InternalError, "container \"" + container_id + "\" is not in created state");
  }
  st.state = ContainerState::kRunning;
  st.started_at = to_nanos(state_->clock.now());
  return {};
}

Result<void> FakeRuntime::stop_container(const std::string& container_id, std::chrono::seconds timeout) {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record("stop_container", container_id, std::to_string(timeout.count()))) return base::error(*f);
  auto it = state_->containers.find(container_id);
  if (it == state_->containers.end()) return base::error(not_found("container", container_id));
  state_->finish(it->second, state_->stop_exit_code, "");
  return {};
}

Result<void> FakeRuntime::remove_container(const std::string& container_id) {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record("remove_container", container_id)) return base::error(*f);
  state_->containers.erase(container_id);
  return {};
}

Result<ContainerStatus> FakeRuntime::container_status(const std::string& container_id) {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record("container_status", container_id)) return base::error(*f);
  auto it = state_->containers.find(container_id);
  if (it == state_->containers.end()) return base::error(not_found("container", container_id));
  return it->second.status;
}

Result<std::vector<ContainerStatus>> FakeRuntime::list_containers(const ContainerFilter& filter) {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record("list_containers", filter.id)) return base::error(*f);
  std::vector<ContainerStatus> out;
  for (const auto& [id, c] : state_->containers) {
    if (!filter.id.empty() && filter.id != id) continue;
    if (!filter.sandbox_id.empty() && filter.sandbox_id != c.status.sandbox_id) continue;
    if (filter.state && *filter.state != c.status.state) continue;
    if (!labels_match(c.status.labels, filter.label_selector)) continue;
    out.push_back(c.status);
  }
  return out;
}

Result<void> FakeRuntime::update_container_resources(const std::string& container_id,
                                                     const ContainerResources& resources) {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record("update_container_resources", container_id)) return base::error(*f);
  auto it = state_->containers.find(container_id);
  if (it == state_->containers.end()) return base::error(not_found("container", container_id));
  it->second.config.resources = resources;
  return {};
}

Result<ExecResult> FakeRuntime::exec_sync(const std::string& container_id, const std::vector<std::string>& cmd,
                                          std::chrono::seconds) {
  std::lock_guard lock(state_->mu);
  std::string joined = join(cmd);
  if (auto f = state_->record("exec_sync", container_id, joined)) return base::error(*f);
  auto it = state_->containers.find(container_id);
  if (it == state_->containers.end()) return base::error(not_found("container", container_id));
  if (it->second.status.state != ContainerState::kRunning) {
    return base::error(base::Reason::InternalError, "container is not running");
  }
  if (auto e = state_->exec_errors.find(joined); e != state_->exec_errors.end()) return base::error(e->second);
  if (auto r = state_->exec_results.find(joined); r != state_->exec_results.end()) return r->second;
  return ExecResult{};
}

Result<std::string> FakeRuntime::exec(const StreamRequest& request) {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record("exec", request.container_id, join(request.cmd))) return base::error(*f);
  if (!state_->containers.count(request.container_id)) return base::error(not_found("container", request.container_id));
  return "http://127.0.0.1:0/exec/" + request.container_id;
}

Result<std::string> FakeRuntime::attach(const StreamRequest& request) {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record("attach", request.container_id)) return base::error(*f);
  if (!state_->containers.count(request.container_id)) return base::error(not_found("container", request.container_id));
  return "http://127.0.0.1:0/attach/" + request.container_id;
}

Result<std::string> FakeRuntime::port_forward(const std::string& sandbox_id, const std::vector<int32_t>&) {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record("port_forward", sandbox_id)) return base::error(*f);
  if (!state_->sandboxes.count(sandbox_id)) return base::error(not_found("sandbox", sandbox_id));
  return "http://127.0.0.1:0/portforward/" + sandbox_id;
}

Result<std::optional<ImageInfo>> FakeRuntime::image_status(const std::string& image) {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record("image_status", image)) return base::error(*f);
  auto it = state_->images.find(normalize_image(image));
  if (it == state_->images.end()) return std::optional<ImageInfo>();
  return std::optional<ImageInfo>(it->second);
}

Result<std::string> FakeRuntime::pull_image(const std::string& image, const std::optional<RegistryAuth>& auth,
                                            const SandboxConfig&) {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record("pull_image", image, auth ? auth->username : "")) return base::error(*f);
  std::string ref = normalize_image(image);
  state_->pull_auth[ref] = auth;
  if (auto it = state_->pull_failures.find(ref); it != state_->pull_failures.end()) {
    return base::error(base::Reason::InternalError, it->second);
  }
  auto& info = state_->images[ref];
  if (info.id.empty()) {
    info.id = image_id(ref);
    info.repo_tags = {ref};
    info.size = 1000;
  }
  return info.id;
}

Result<std::vector<ImageInfo>> FakeRuntime::list_images() {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record("list_images", "")) return base::error(*f);
  std::vector<ImageInfo> out;
  for (const auto& [ref, info] : state_->images) out.push_back(info);
  return out;
}

Result<void> FakeRuntime::remove_image(const std::string& image) {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record("remove_image", image)) return base::error(*f);
  state_->images.erase(normalize_image(image));
  return {};
}

void FakeRuntime::add_image(const std::string& image, uint64_t size) {
  std::lock_guard lock(state_->mu);
  std::string ref = normalize_image(image);
  state_->images[ref] = ImageInfo{image_id(ref), {ref}, {}, size};
  state_->bump();
}

void FakeRuntime::set_pull_failure(const std::string& image, const std::string& message) {
  std::lock_guard lock(state_->mu);
  state_->pull_failures[normalize_image(image)] = message;
}

void FakeRuntime::clear_pull_failure(const std::string& image) {
  std::lock_guard lock(state_->mu);
  state_->pull_failures.erase(normalize_image(image));
}

Result<void> FakeRuntime::exit_container(const std::string& container_id, int32_t exit_code, const std::string& reason) {
  std::lock_guard lock(state_->mu);
  auto it = state_->containers.find(container_id);
  if (it == state_->containers.end()) return base::error(not_found("container", container_id));
  state_->finish(it->second, exit_code, reason);
  state_->bump();
  return {};
}

Result<void> FakeRuntime::kill_sandbox(const std::string& sandbox_id) {
  std::lock_guard lock(state_->mu);
  auto it = state_->sandboxes.find(sandbox_id);
  if (it == state_->sandboxes.end()) return base::error(not_found("sandbox", sandbox_id));
  state_->stop_sandbox_containers(sandbox_id);
  it->second.status.state = SandboxState::kNotReady;
  state_->bump();
  return {};
}

void FakeRuntime::set_exec_result(const std::vector<std::string>& cmd, ExecResult result) {
  std::lock_guard lock(state_->mu);
  state_->exec_errors.erase(join(cmd));
  state_->exec_results[join(cmd)] = std::move(result);
}

void FakeRuntime::set_exec_error(const std::vector<std::string>& cmd, base::Status status) {
  std::lock_guard lock(state_->mu);
  state_->exec_errors[join(cmd)] = std::move(status);
}

void FakeRuntime::set_stop_exit_code(int32_t code) {
  std::lock_guard lock(state_->mu);
  state_->stop_exit_code = code;
}

void FakeRuntime::fail(const std::string& method, base::Status status, int times) {
  std::lock_guard lock(state_->mu);
  state_->failures[method] = {std::move(status), times};
}

void FakeRuntime::clear_failures() {
  std::lock_guard lock(state_->mu);
  state_->failures.clear();
}

std::vector<FakeRuntimeCall> FakeRuntime::calls() const {
  std::lock_guard lock(state_->mu);
  return state_->calls;
}

std::vector<FakeRuntimeCall> FakeRuntime::calls_of(const std::string& method) const {
  std::lock_guard lock(state_->mu);
  std::vector<FakeRuntimeCall> out;
  for (const auto& c : state_->calls) {
    if (c.method == method) out.push_back(c);
  }
  return out;
}

void FakeRuntime::clear_calls() {
  std::lock_guard lock(state_->mu);
  state_->calls.clear();
}

Result<SandboxConfig> FakeRuntime::sandbox_config(const std::string& sandbox_id) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->sandboxes.find(sandbox_id);
  if (it == state_->sandboxes.end()) return base::error(not_found("sandbox", sandbox_id));
  return it->second.config;
}

Result<ContainerConfig> FakeRuntime::container_config(const std::string& container_id) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->containers.find(container_id);
  if (it == state_->containers.end()) return base::error(not_found("container", container_id));
  return it->second.config;
}

std::optional<RegistryAuth> FakeRuntime::last_pull_auth(const std::string& image) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->pull_auth.find(normalize_image(image));
  return it == state_->pull_auth.end() ? std::nullopt : it->second;
}

bool FakeRuntime::wait_for(const std::function<bool(const FakeRuntime&)>& pred, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    uint64_t seen;
    {
      std::lock_guard lock(state_->mu);
      seen = state_->version;
    }
    if (pred(*this)) return true;
    std::unique_lock lock(state_->mu);
    if (!state_->changed.wait_until(lock, deadline, [&] { return state_->version != seen; })) return pred(*this);
  }
}

std::vector<std::string> FakeRuntime::containers_named(const std::string& name) const {
  std::lock_guard lock(state_->mu);
  std::vector<std::pair<UnixNanos, std::string>> found;
  for (const auto& [id, c] : state_->containers) {
    auto it = c.status.labels.find("io.kubernetes.container.name");
    std::string n = it != c.status.labels.end() ? it->second : c.config.name;
    if (n == name) found.emplace_back(c.status.created_at, id);
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return std::stoi(a.second.substr(4)) < std::stoi(b.second.substr(4));
  });
  std::vector<std::string> out;
  for (auto& [t, id] : found) out.push_back(id);
  return out;
}

}  // namespace kite::agent
