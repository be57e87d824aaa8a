// run_handler: one probe or lifecycle-hook action (exec, httpGet, tcpSocket) against a running
// container, as kubelet's prober and hook runner perform them. exec runs through
// Runtime::exec_sync; httpGet/tcpSocket connect to `host` (httpGet.host, else the pod IP,
// which is the node IP for hostNetwork pods), with the port given as a number or the name of
// one of the container's ports.
//
// Outcome: kSuccess (exit 0, HTTP 200-399, connected), kFailure with kubelet's output text
// (the command's output, "HTTP probe failed with statuscode: 500", a dial error, `command "x"
// timed out`), or kError for a runtime error (kubelet discards errored probe results).
// Blocking, bounded by `timeout`; thread-safe.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/runtime/runtime.h"

namespace kite::agent::pods {

struct HandlerOutcome {
  enum class Result { kSuccess, kFailure, kError };
  Result result = Result::kSuccess;
  std::string output;  // the failure text (or the error for kError)
  int exit_code = 0;   // exec: the command's exit code
  std::string stderr_; // exec: the command's stderr
  bool ok() const { return result == Result::kSuccess; }
};

struct HandlerTarget {
  Runtime* runtime = nullptr;
  std::string container_id;
  std::string pod_ip;  // node IP for hostNetwork pods
};

HandlerOutcome run_handler(const nlohmann::json& handler, const nlohmann::json& container, const HandlerTarget& target,
                           std::chrono::seconds timeout);

// The handler's kind for messages: "exec", "httpGet", "tcpSocket", "grpc", "sleep" or "".
std::string handler_kind(const nlohmann::json& handler);

}  // namespace kite::agent::pods
