#include "agent/pods/probe_manager.h"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>

#include "agent/pods/handler.h"
#include "agent/pods/pod_spec.h"

namespace kite::agent::pods {
namespace {

enum class Res { kUnknown, kSuccess, kFailure };

const char* probe_field(ProbeKind k) {
  switch (k) {
    case ProbeKind::kLiveness: return "livenessProbe";
    case ProbeKind::kReadiness: return "readinessProbe";
    case ProbeKind::kStartup: return "startupProbe";
  }
  return "";
}

const char* probe_title(ProbeKind k) {
  switch (k) {
    case ProbeKind::kLiveness: return "Liveness";
    case ProbeKind::kReadiness: return "Readiness";
    case ProbeKind::kStartup: return "Startup";
  }
  return "";
}

Res initial_result(ProbeKind k) { return k == ProbeKind::kLiveness ? Res::kSuccess : Res::kFailure; }

struct Worker {
  std::string uid, name;
  ProbeKind kind;
  json probe, container, pod;
  std::string probe_ip;
  std::string container_id;  // "" while the container is not running
  base::Clock::time_point started_at;
  std::optional<base::Clock::time_point> last_run;
  Res result = Res::kUnknown;
  Res last_raw = Res::kUnknown;
  int run = 0;
  bool on_hold = false;
  bool in_flight = false;

  void reset(const std::string& id, base::Clock::time_point started) {
    container_id = id;
    started_at = started;
    last_run.reset();
    result = initial_result(kind);
    last_raw = Res::kUnknown;
    run = 0;
    on_hold = false;
  }
};

using WorkerKey = std::tuple<std::string, std::string, int>;

struct Task {
  std::shared_ptr<Worker> worker;
  std::string container_id;
  json probe, container, pod;
  std::string probe_ip;
};

}  // namespace

struct ProbeManager::State {
  ProbeManagerOptions options;
  mutable std::mutex mu;
  std::condition_variable cv;  // tasks or stop
  std::map<WorkerKey, std::shared_ptr<Worker>> workers;
  std::deque<Task> tasks;
  bool stopping = false;
  std::thread timer;
  std::vector<std::thread> probers;

  std::shared_ptr<Worker> find(const std::string& uid, const std::string& name, ProbeKind kind) const {
    auto it = workers.find({uid, name, static_cast<int>(kind)});
    return it == workers.end() ? nullptr : it->second;
  }
};

ProbeManager::ProbeManager(ProbeManagerOptions options) : state_(std::make_unique<State>()) {
  state_->options = std::move(options);
}

ProbeManager::~ProbeManager() { stop(); }

void ProbeManager::start() {
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = false;
  }
  state_->timer = std::thread([this] { run_timer(); });
  for (int i = 0; i < std::max(1, state_->options.threads); ++i) {
    state_->probers.emplace_back([this] { run_prober(); });
  }
}

void ProbeManager::stop() {
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
  }
  state_->cv.notify_all();
  if (state_->timer.joinable()) state_->timer.join();
  for (auto& t : state_->probers) {
    if (t.joinable()) t.join();
  }
  state_->probers.clear();
}

void ProbeManager::update_pod(const json& pod, const std::string& probe_ip, const std::vector<RunningContainer>& running) {
  std::string uid = pod_uid(pod);
  std::lock_guard lock(state_->mu);
  std::map<WorkerKey, bool> wanted;
  for (const auto& container : app_containers(pod)) {
    std::string name = string_field(container, "name");
    const RunningContainer* rc = nullptr;
    for (const auto& r : running) {
      if (r.name == name) rc = &r;
    }
    for (ProbeKind kind : {ProbeKind::kLiveness, ProbeKind::kReadiness, ProbeKind::kStartup}) {
      auto probe = container.find(probe_field(kind));
      if (probe == container.end() || !probe->is_object()) continue;
      WorkerKey key{uid, name, static_cast<int>(kind)};
      wanted[key] = true;
      auto& w = state_->workers[key];
      if (!w) {
        w = std::make_shared<Worker>();
        w->uid = uid;
        w->name = name;
        w->kind = kind;
        w->result = initial_result(kind);
      }
      w->probe = *probe;
      w->container = container;
      w->pod = pod;
      w->probe_ip = probe_ip;
      if (!rc) {
        if (!w->container_id.empty()) w->reset("", {});
      } else if (rc->id != w->container_id) {
        w->reset(rc->id, rc->started_at);
      }
    }
  }
  for (auto it = state_->workers.begin(); it != state_->workers.end();) {
    if (std::get<0>(it->first) == uid && !wanted.count(it->first)) {
      it = state_->workers.erase(it);
    } else {
      ++it;
    }
  }
}

void ProbeManager::remove_pod(const std::string& pod_uid) {
  std::lock_guard lock(state_->mu);
  for (auto it = state_->workers.begin(); it != state_->workers.end();) {
    it = std::get<0>(it->first) == pod_uid ? state_->workers.erase(it) : std::next(it);
  }
}

bool ProbeManager::started(const std::string& pod_uid, const std::string& name, const std::string& container_id) const {
  std::lock_guard lock(state_->mu);
  auto w = state_->find(pod_uid, name, ProbeKind::kStartup);
  if (!w) return true;
  return w->container_id == container_id && w->result == Res::kSuccess;
}

bool ProbeManager::ready(const std::string& pod_uid, const std::string& name, const std::string& container_id) const {
  {
    std::lock_guard lock(state_->mu);
    auto w = state_->find(pod_uid, name, ProbeKind::kReadiness);
    if (w) return w->container_id == container_id && w->result == Res::kSuccess;
  }
  return started(pod_uid, name, container_id);
}

std::optional<std::string> ProbeManager::kill_reason(const std::string& pod_uid, const std::string& name,
                                                     const std::string& container_id) const {
  std::lock_guard lock(state_->mu);
  for (ProbeKind kind : {ProbeKind::kStartup, ProbeKind::kLiveness}) {
    auto w = state_->find(pod_uid, name, kind);
    if (w && w->container_id == container_id && !container_id.empty() && w->result == Res::kFailure) {
      return "Container " + name + " failed " + (kind == ProbeKind::kStartup ? "startup" : "liveness") +
             " probe, will be restarted";
    }
  }
  return std::nullopt;
}

void ProbeManager::run_timer() {
  auto& st = *state_;
  std::unique_lock lock(st.mu);
  while (!st.stopping) {
    auto now = st.options.clock->now();
    bool queued = false;
    for (auto& [key, w] : st.workers) {
      if (w->in_flight || w->on_hold || w->container_id.empty()) continue;
      if (w->kind == ProbeKind::kStartup && w->result == Res::kSuccess) continue;
      if (w->kind != ProbeKind::kStartup) {
        auto startup = st.find(w->uid, w->name, ProbeKind::kStartup);
        if (startup && !(startup->container_id == w->container_id && startup->result == Res::kSuccess)) continue;
      }
      auto initial_delay = std::chrono::seconds(int_field(w->probe, "initialDelaySeconds", 0));
      auto period = std::chrono::seconds(std::max<int64_t>(1, int_field(w->probe, "periodSeconds", 10)));
      if (now - w->started_at < initial_delay) continue;
      if (w->last_run && now - *w->last_run < period) continue;
      w->in_flight = true;
      w->last_run = now;
      st.tasks.push_back({w, w->container_id, w->probe, w->container, w->pod, w->probe_ip});
      queued = true;
    }
    if (queued) st.cv.notify_all();
    st.cv.wait_for(lock, st.options.tick, [&] { return st.stopping; });
  }
}

void ProbeManager::run_prober() {
  auto& st = *state_;
  for (;;) {
    Task task;
    {
      std::unique_lock lock(st.mu);
      st.cv.wait(lock, [&] { return st.stopping || !st.tasks.empty(); });
      if (st.stopping) return;
      task = std::move(st.tasks.front());
      st.tasks.pop_front();
    }
    ProbeKind kind = task.worker->kind;
    auto timeout = std::chrono::seconds(std::max<int64_t>(1, int_field(task.probe, "timeoutSeconds", 1)));
    HandlerOutcome outcome =
        run_handler(task.probe, task.container, {st.options.runtime, task.container_id, task.probe_ip}, timeout);
    if (st.options.events) {
      if (outcome.result == HandlerOutcome::Result::kError) {
        st.options.events->warning(task.pod, "Unhealthy", std::string(probe_title(kind)) + " probe errored: " + outcome.output);
      } else if (outcome.result == HandlerOutcome::Result::kFailure) {
        st.options.events->warning(task.pod, "Unhealthy", std::string(probe_title(kind)) + " probe failed: " + outcome.output);
      }
    }
    bool changed = false;
    std::string uid;
    {
      std::lock_guard lock(st.mu);
      auto& w = *task.worker;
      w.in_flight = false;
      uid = w.uid;
      if (w.container_id != task.container_id || outcome.result == HandlerOutcome::Result::kError) continue;
      Res raw = outcome.ok() ? Res::kSuccess : Res::kFailure;
      if (raw == w.last_raw) {
        ++w.run;
      } else {
        w.last_raw = raw;
        w.run = 1;
      }
      int64_t failure_threshold = std::max<int64_t>(1, int_field(w.probe, "failureThreshold", 3));
      int64_t success_threshold = std::max<int64_t>(1, int_field(w.probe, "successThreshold", 1));
      if ((raw == Res::kFailure && w.run < failure_threshold) || (raw == Res::kSuccess && w.run < success_threshold)) {
        continue;
      }
      changed = w.result != raw;
      w.result = raw;
      if (raw == Res::kFailure && kind != ProbeKind::kReadiness) {
        w.on_hold = true;
        w.run = 0;
      }
    }
    if (changed && st.options.on_change) st.options.on_change(uid);
  }
}

}  // namespace kite::agent::pods
