#include "agent/pods/handler.h"

#include <thread>

#include "agent/pods/net_check.h"
#include "agent/pods/pod_spec.h"

namespace kite::agent::pods {
namespace {

using Result = HandlerOutcome::Result;

// A port given as a number, a numeric string, or the name of a container port; -1 if unknown.
int resolve_port(const json& port, const json& container) {
  if (port.is_number_integer()) return port.get<int>();
  if (!port.is_string()) return -1;
  std::string name = port.get<std::string>();
  for (const auto& p : container.value("ports", json::array())) {
    if (string_field(p, "name") == name) return static_cast<int>(int_field(p, "containerPort", -1));
  }
  try {
    size_t used = 0;
    int n = std::stoi(name, &used);
    return used == name.size() ? n : -1;
  } catch (...) {
    return -1;
  }
}

std::string joined(const std::vector<std::string>& cmd) {
  std::string out;
  for (const auto& s : cmd) out += (out.empty() ? "" : " ") + s;
  return out;
}

HandlerOutcome run_exec(const json& exec, const HandlerTarget& target, std::chrono::seconds timeout) {
  std::vector<std::string> cmd;
  for (const auto& s : exec.value("command", json::array())) {
    if (s.is_string()) cmd.push_back(s.get<std::string>());
  }
  auto r = target.runtime->exec_sync(target.container_id, cmd, timeout);
  if (!r) {
    if (r.error().reason() == base::Reason::Timeout) {
      return {Result::kFailure, "command \"" + joined(cmd) + "\" timed out"};
    }
    return {Result::kError, r.error().message()};
  }
  return {r->exit_code == 0 ? Result::kSuccess : Result::kFailure, r->stdout_ + r->stderr_, r->exit_code, r->stderr_};
}

HandlerOutcome run_http(const json& http, const json& container, const HandlerTarget& target,
                        std::chrono::seconds timeout) {
  int port = resolve_port(http.value("port", json()), container);
  if (port <= 0 || port > 65535) {
    return {Result::kError, "couldn't find port: " + http.value("port", json()).dump() + " in container " +
                                string_field(container, "name")};
  }
  std::string host = string_field(http, "host", target.pod_ip);
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& h : http.value("httpHeaders", json::array())) {
    headers.emplace_back(string_field(h, "name"), string_field(h, "value"));
  }
  auto r = http_get(string_field(http, "scheme", "HTTP"), host, port, string_field(http, "path", "/"), headers,
                    std::chrono::duration_cast<std::chrono::milliseconds>(timeout));
  if (r.status == 0) return {Result::kFailure, r.error};
  if (r.status >= 200 && r.status < 400) return {Result::kSuccess, r.body};
  return {Result::kFailure, "HTTP probe failed with statuscode: " + std::to_string(r.status)};
}

HandlerOutcome run_tcp(const json& tcp, const json& container, const HandlerTarget& target,
                       std::chrono::seconds timeout) {
  int port = resolve_port(tcp.value("port", json()), container);
  if (port <= 0 || port > 65535) {
    return {Result::kError, "couldn't find port: " + tcp.value("port", json()).dump() + " in container " +
                                string_field(container, "name")};
  }
  std::string err = tcp_check(string_field(tcp, "host", target.pod_ip), port,
                              std::chrono::duration_cast<std::chrono::milliseconds>(timeout));
  if (err.empty()) return {Result::kSuccess, ""};
  return {Result::kFailure, err};
}

}  // namespace

std::string handler_kind(const json& handler) {
  for (const char* k : {"exec", "httpGet", "tcpSocket", "grpc", "sleep"}) {
    if (handler.is_object() && handler.contains(k) && handler[k].is_object()) return k;
  }
  return "";
}

HandlerOutcome run_handler(const json& handler, const json& container, const HandlerTarget& target,
                           std::chrono::seconds timeout) {
  try {
    std::string kind = handler_kind(handler);
    if (kind == "exec") return run_exec(handler["exec"], target, timeout);
    if (kind == "httpGet") return run_http(handler["httpGet"], container, target, timeout);
    if (kind == "tcpSocket") return run_tcp(handler["tcpSocket"], container, target, timeout);
    if (kind == "sleep") {
      std::this_thread::sleep_for(std::chrono::seconds(int_field(handler["sleep"], "seconds", 0)));
      return {Result::kSuccess, ""};
    }
    if (kind == "grpc") return {Result::kError, "gRPC probes are not supported by kite yet"};
    return {Result::kError, "missing probe handler"};
  } catch (const std::exception& e) {
    return {Result::kError, e.what()};
  }
}

}  // namespace kite::agent::pods
