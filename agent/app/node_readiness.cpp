// Combining runtime and network readiness (see agent/app/node_readiness.h).
#include "agent/app/node_readiness.h"

namespace kite::agent {

void NodeReadiness::set_runtime(bool up, std::string message, std::string version) {
  std::lock_guard lock(mu_);
  runtime_up_ = up;
  runtime_message_ = std::move(message);
  if (!version.empty()) runtime_version_ = std::move(version);
}

void NodeReadiness::set_network(bool up, std::string message) {
  std::lock_guard lock(mu_);
  network_up_ = up;
  network_message_ = std::move(message);
}

Readiness NodeReadiness::get() const {
  std::lock_guard lock(mu_);
  if (!runtime_up_) return {false, runtime_message_};
  if (!network_up_) return {false, network_message_};
  return {true, "kubelet is posting ready status"};
}

std::string NodeReadiness::runtime_version() const {
  std::lock_guard lock(mu_);
  return runtime_version_;
}

RuntimeProbe::RuntimeProbe(Runtime& runtime, NodeReadiness& readiness, std::chrono::milliseconds interval)
    : runtime_(runtime), readiness_(readiness), interval_(interval) {}

RuntimeProbe::~RuntimeProbe() { stop(); }

void RuntimeProbe::probe_once() {
  auto v = runtime_.version();
  if (v) {
    readiness_.set_runtime(true, "", v->runtime_name + "://" + v->runtime_version);
  } else {
    readiness_.set_runtime(false, "container runtime is down: " + v.error().message());
  }
}

void RuntimeProbe::start() {
  probe_once();
  thread_.start(interval_, [this] { probe_once(); });
}

void RuntimeProbe::stop() { thread_.stop(); }

}  // namespace kite::agent
