#include "agent/streaming/kubelet_server.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "agent/streaming/container_lookup.h"
#include "agent/streaming/log_service.h"
#include "agent/streaming/stream_proxy.h"
#include "base/http/response_stream.h"
#include "base/http/server.h"

namespace kite::agent::streaming {
namespace {

namespace http = base::http;
using base::Reason;
using base::Status;

http::Response status_response(const Status& status) {
  http::Response res;
  res.status = status.code();
  res.set_header("Content-Type", "application/json");
  res.body = status.to_json().dump();
  return res;
}

http::Response text_response(int code, std::string body) {
  http::Response res;
  res.status = code;
  res.set_header("Content-Type", "text/plain; charset=utf-8");
  res.body = std::move(body);
  return res;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

bool flag(const http::Request& req, const char* kubelet_name, const char* alias) {
  std::string v = req.has_query(kubelet_name) ? req.query_value(kubelet_name) : req.query_value(alias);
  return v == "1" || v == "true" || v == "True";
}

// Kubelet's remotecommand options; BadRequest when no stream is asked for.
Result<StreamRequest> stream_request(const http::Request& req, const std::string& container_id, bool exec) {
  StreamRequest sr;
  sr.container_id = container_id;
  sr.stdin_ = flag(req, "input", "stdin");
  sr.stdout_ = flag(req, "output", "stdout");
  sr.stderr_ = flag(req, "error", "stderr");
  sr.tty = flag(req, "tty", "tty");
  if (sr.tty && sr.stderr_) sr.stderr_ = false;  // a TTY merges stderr into stdout (kubelet)
  if (!sr.stdin_ && !sr.stdout_ && !sr.stderr_)
    return base::error(Reason::BadRequest, "you must specify at least 1 of stdin, stdout, stderr");
  if (exec) {
    auto [b, e] = req.query.equal_range("command");
    for (auto it = b; it != e; ++it) sr.cmd.push_back(it->second);
    if (sr.cmd.empty()) return base::error(Reason::BadRequest, "you must specify at least one command for exec");
  }
  return sr;
}

}  // namespace

struct KubeletServer::Impl {
  KubeletServerOptions options;
  std::unique_ptr<LogService> logs;
  std::unique_ptr<http::Server> server;

  std::optional<http::Response> authorize(const http::Request& req) const {
    if (!req.peer) return status_response(Status(Reason::Unauthorized, "Unauthorized"));
    const auto& orgs = req.peer->organizations;
    if (req.peer->common_name == "kube-apiserver" ||
        std::find(orgs.begin(), orgs.end(), "system:masters") != orgs.end())
      return std::nullopt;
    std::string verb = req.method == "GET" ? "get" : req.method == "POST" ? "create" : "*";
    return status_response(Status(Reason::Forbidden, "Forbidden (user=" + req.peer->common_name + ", verb=" + verb +
                                                         ", resource=nodes, subresource=proxy)"));
  }

  // Every answer but an upgrade goes out chunked: base::http::dial_http (Boost 1.74) cannot
  // read Content-Length bodies, and the API server reaches us through it.
  http::Response handle(http::Request& req) {
    http::Response res = route(req);
    if (!res.upgrade && !res.stream && res.status != 101) {
      res.stream = std::make_shared<http::ResponseStream>();
      if (!res.body.empty()) res.stream->push(std::exchange(res.body, {}));
      res.stream->close();
    }
    return res;
  }

  http::Response route(http::Request& req) {
    auto parts = split_path(req.path);
    if (parts.size() == 1 && parts[0] == "healthz") return text_response(200, "ok");
    if (auto denied = authorize(req)) return std::move(*denied);
    if (parts.empty()) return status_response(Status(Reason::NotFound, "404 page not found"));
    const std::string& kind = parts[0];
    bool get_or_post = req.method == "GET" || req.method == "POST";
    if (kind == "containerLogs" && parts.size() == 4) {
      if (req.method != "GET") return method_not_allowed(req);
      auto res = logs->handle({parts[1], parts[2], parts[3]}, req.query);
      return res ? std::move(*res) : status_response(res.error());
    }
    if ((kind == "exec" || kind == "attach") && (parts.size() == 4 || parts.size() == 5)) {
      if (!get_or_post) return method_not_allowed(req);
      ContainerRef ref{parts[1], parts[2], parts.back(), parts.size() == 5 ? parts[3] : ""};
      return stream_container(req, ref, kind == "exec");
    }
    if (kind == "portForward" && (parts.size() == 3 || parts.size() == 4)) {
      if (!get_or_post) return method_not_allowed(req);
      return port_forward(req, parts[1], parts[2], parts.size() == 4 ? parts[3] : "");
    }
    return status_response(Status(Reason::NotFound, "404 page not found"));
  }

  static http::Response method_not_allowed(const http::Request& req) {
    return status_response(Status(Reason::MethodNotAllowed, "method " + req.method + " not allowed on " + req.path));
  }

  http::Response stream_container(const http::Request& req, const ContainerRef& ref, bool exec) {
    auto container = find_container(*options.runtime, ref, false);
    if (!container) return status_response(container.error());
    if (container->state != ContainerState::kRunning)
      return status_response(Status(Reason::BadRequest, "container " + ref.container + " is not running"));
    auto sr = stream_request(req, container->id, exec);
    if (!sr) return status_response(sr.error());
    auto url = exec ? options.runtime->exec(*sr) : options.runtime->attach(*sr);
    if (!url) return status_response(url.error());
    auto res = proxy_to_stream_server(req, *url);
    return res ? std::move(*res) : status_response(res.error());
  }

  http::Response port_forward(const http::Request& req, const std::string& ns, const std::string& pod,
                              const std::string& uid) {
    auto sandbox = find_pod_sandbox(*options.runtime, ns, pod, uid);
    if (!sandbox) return status_response(sandbox.error());
    std::vector<int32_t> ports;
    auto [b, e] = req.query.equal_range("port");
    for (auto it = b; it != e; ++it) {
      int32_t p = 0;
      auto [ptr, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), p);
      if (ec != std::errc() || ptr != it->second.data() + it->second.size() || p < 1 || p > 65535)
        return status_response(Status(Reason::BadRequest, "invalid port \"" + it->second + "\""));
      ports.push_back(p);
    }
    auto url = options.runtime->port_forward(sandbox->id, ports);
    if (!url) return status_response(url.error());
    auto res = proxy_to_stream_server(req, *url);
    return res ? std::move(*res) : status_response(res.error());
  }
};

KubeletServer::KubeletServer(KubeletServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

KubeletServer::~KubeletServer() { stop(); }

Result<void> KubeletServer::start() {
  auto& o = impl_->options;
  if (!o.runtime) return base::error(Reason::BadRequest, "kubelet server: no runtime");
  if (o.cert_file.empty() || o.key_file.empty() || o.client_ca_file.empty())
    return base::error(Reason::BadRequest, "kubelet server: cert_file, key_file and client_ca_file are required");
  impl_->logs = std::make_unique<LogService>(LogServiceOptions{
      .runtime = o.runtime, .log_root = o.log_root, .clock = o.clock, .poll_interval = o.log_poll_interval});
  http::ServerOptions so{.bind_address = o.bind_address,
                         .port = o.port,
                         .cert_file = o.cert_file,
                         .key_file = o.key_file,
                         .client_ca_file = o.client_ca_file,
                         .io_threads = 1,
                         .worker_threads = 16};
  Impl* impl = impl_.get();
  impl_->server = std::make_unique<http::Server>(so, [impl](http::Request& req) { return impl->handle(req); });
  if (auto r = impl_->server->start(); !r) {
    impl_->server.reset();
    impl_->logs.reset();
    return r;
  }
  return {};
}

void KubeletServer::stop() {
  if (impl_->logs) impl_->logs->stop();
  if (impl_->server) impl_->server->stop();
  impl_->server.reset();
  impl_->logs.reset();
}

uint16_t KubeletServer::port() const { return impl_->server ? impl_->server->port() : 0; }

}  // namespace kite::agent::streaming
