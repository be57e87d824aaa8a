// NodeReadiness: what the node's Ready condition says, combined from the container runtime's
// state (RuntimeProbe) and the pod network's (network config written), plus the runtime
// version shown in nodeInfo.containerRuntimeVersion. Ready only when both are up; the message
// names what is not. Thread-safe (the probes write, the heartbeat thread reads).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "agent/node/node_object.h"
#include "agent/runtime/runtime.h"
#include "base/periodic_thread.h"

namespace kite::agent {

class NodeReadiness {
 public:
  // `runtime_message` / `network_message` say why the part is not ready ("" when it is).
  void set_runtime(bool up, std::string message, std::string version = "");
  void set_network(bool up, std::string message);
  Readiness get() const;
  std::string runtime_version() const;

 private:
  mutable std::mutex mu_;
  bool runtime_up_ = false;
  std::string runtime_message_ = "container runtime status check may not have completed yet";
  std::string runtime_version_;
  bool network_up_ = true;  // until a pod network reports otherwise
  std::string network_message_;
};

// Asks the runtime for its version every `interval` (and once at start) and records the
// result in `readiness`: up with "<name>://<version>" (kubelet's containerRuntimeVersion form),
// or down with the error. start()/stop() from the owning thread.
class RuntimeProbe {
 public:
  RuntimeProbe(Runtime& runtime, NodeReadiness& readiness, std::chrono::milliseconds interval = std::chrono::seconds(5));
  ~RuntimeProbe();
  void probe_once();
  void start();
  void stop();

 private:
  Runtime& runtime_;
  NodeReadiness& readiness_;
  std::chrono::milliseconds interval_;
  base::PeriodicThread thread_;
};

}  // namespace kite::agent
