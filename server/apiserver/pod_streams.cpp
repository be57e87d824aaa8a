#include "server/apiserver/pod_streams.h"

#include <thread>

#include "base/http/raw_stream.h"
#include "base/http/response_stream.h"
#include "base/http/upgrade_client.h"
#include "base/log.h"
#include "base/stream/channel_translator.h"
#include "base/stream/websocket.h"
#include "server/apiserver/rest.h"

namespace kite::apiserver {

namespace http = base::http;
namespace bs = base::stream;

namespace {

constexpr const char* kV5 = "v5.channel.k8s.io";
constexpr const char* kV4 = "v4.channel.k8s.io";
constexpr const char* kPortForwardTunnel = "SPDY/3.1+portforward.k8s.io";

std::string url_escape(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

bool truthy(const Request& req, const std::string& key) {
  std::string v = req.query_value(key);
  for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v == "true" || v == "1";
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    std::string item = s.substr(start, comma - start);
    auto b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
    start = comma + 1;
  }
  return out;
}

bool header_has(const Request& req, const std::string& name, const std::string& token) {
  for (auto& v : split_list(req.header(name))) {
    if (std::equal(v.begin(), v.end(), token.begin(), token.end(),
                   [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)); })) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> names_of(const json& pod, const char* field) {
  std::vector<std::string> out;
  if (auto spec = pod.find("spec"); spec != pod.end() && spec->is_object()) {
    if (auto list = spec->find(field); list != spec->end() && list->is_array()) {
      for (const auto& c : *list) {
        if (c.is_object()) out.push_back(c.value("name", ""));
      }
    }
  }
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

Response stream_error(const base::Status& st) { return status_response(st); }

// Reads the body of a failed agent answer and turns it into a Status with the agent's code.
Response agent_failure(http::ClientResponse& res, const std::string& node) {
  std::string body;
  if (res.stream) {
    if (auto all = http::read_all(*res.stream, 64 << 10)) body = *all;
  }
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_object() && parsed.value("kind", "") == "Status") return raw_json_response(res.status, body);
  Reason reason = res.status == 400 ? Reason::BadRequest
                  : res.status == 404 ? Reason::NotFound
                  : res.status == 403 ? Reason::Forbidden
                  : res.status == 401 ? Reason::Unauthorized
                                      : Reason::InternalError;
  std::string message = body.empty() ? "the node agent on " + node + " answered " + std::to_string(res.status) : body;
  base::Status st(reason, message);
  Response r = status_response(st);
  r.status = res.status >= 400 ? res.status : 500;
  return r;
}

http::ClientRequest agent_request(const ServerState& st, const std::string& url) {
  http::ClientRequest cr;
  cr.url = url;
  cr.ca_file = st.options.kubelet_ca_file;
  cr.cert_file = st.options.kubelet_client_cert_file;
  cr.key_file = st.options.kubelet_client_key_file;
  cr.timeout = std::chrono::seconds(30);
  return cr;
}

Response relay_log(http::ClientResponse agent) {
  Response r;
  r.status = 200;
  r.set_header("Content-Type", "text/plain");
  auto body = std::make_shared<http::ResponseStream>();
  auto source = std::make_shared<http::ClientResponse>(std::move(agent));
  // Client gone (or stream closed): wake the relay thread blocked on the agent.
  body->set_on_close([weak = std::weak_ptr<http::ClientResponse>(source)] {
    if (auto s = weak.lock()) s->stream->close();
  });
  std::thread([source, body] {
    std::string buf(32768, '\0');
    for (;;) {
      auto n = source->stream->read_some(buf.data(), buf.size());
      if (!n || *n == 0) break;
      if (!body->push(std::string(buf.data(), *n))) break;
    }
    body->close();
  }).detach();
  r.stream = body;
  return r;
}

// Dials the agent with a SPDY upgrade. `protocols` are the X-Stream-Protocol-Version values.
base::Result<http::ClientResponse> dial_spdy(const ServerState& st, const std::string& url,
                                             const std::vector<std::string>& protocols) {
  auto cr = agent_request(st, url);
  cr.method = "POST";
  cr.headers = {{"Connection", "Upgrade"}, {"Upgrade", "SPDY/3.1"}};
  for (const auto& p : protocols) cr.headers.emplace_back("X-Stream-Protocol-Version", p);
  return http::dial_http(cr);
}

Response websocket_accept_response(const Request& req, const std::string& protocol) {
  Response r;
  r.status = 101;
  r.set_header("Upgrade", "websocket");
  r.set_header("Connection", "Upgrade");
  r.set_header("Sec-WebSocket-Accept", bs::websocket_accept(req.header("sec-websocket-key")));
  r.set_header("Sec-WebSocket-Protocol", protocol);
  return r;
}

// A SPDY client: the agent negotiates; its 101 goes back and the bytes are spliced.
Response splice_spdy(const ServerState& st, const Request& req, const std::string& url, const std::string& node) {
  auto agent = dial_spdy(st, url, split_list(req.header("x-stream-protocol-version")));
  if (!agent) return stream_error(base::Status(agent.error().reason(), "error dialing the node agent on " + node + ": " + agent.error().message()));
  if (agent->status != 101) return agent_failure(*agent, node);
  Response r;
  r.status = 101;
  r.set_header("Connection", "Upgrade");
  r.set_header("Upgrade", agent->header("upgrade").empty() ? "SPDY/3.1" : agent->header("upgrade"));
  if (auto v = agent->header("x-stream-protocol-version"); !v.empty()) r.set_header("X-Stream-Protocol-Version", v);
  auto backend = std::make_shared<http::ClientResponse>(std::move(*agent));
  r.upgrade = [backend](std::unique_ptr<http::RawStream> client) { http::splice(*client, *backend->stream); };
  return r;
}

Response exec_or_attach(const ServerState& st, const Request& req, const std::string& url, const std::string& node,
                        const bs::ExecStreams& streams) {
  if (header_has(req, "upgrade", "websocket")) {
    std::string chosen;
    for (const auto& p : split_list(req.header("sec-websocket-protocol"))) {
      if (p == kV5 || p == kV4) {
        chosen = p;
        break;
      }
    }
    if (chosen.empty()) {
      return stream_error(base::Status(Reason::BadRequest, std::string("unable to upgrade: none of the requested WebSocket subprotocols is supported (supported: ") + kV5 + ", " + kV4 + ")"));
    }
    if (req.header("sec-websocket-key").empty()) {
      return stream_error(base::Status(Reason::BadRequest, "unable to upgrade: missing Sec-WebSocket-Key"));
    }
    auto agent = dial_spdy(st, url, {kV4});
    if (!agent) return stream_error(base::Status(agent.error().reason(), "error dialing the node agent on " + node + ": " + agent.error().message()));
    if (agent->status != 101) return agent_failure(*agent, node);
    Response r = websocket_accept_response(req, chosen);
    auto backend = std::make_shared<http::ClientResponse>(std::move(*agent));
    auto protocol = chosen == kV5 ? bs::ChannelProtocol::V5 : bs::ChannelProtocol::V4;
    r.upgrade = [backend, streams, protocol](std::unique_ptr<http::RawStream> client) {
      bs::translate_exec(*client, *backend->stream, streams, protocol);
    };
    return r;
  }
  if (header_has(req, "upgrade", "spdy/3.1")) return splice_spdy(st, req, url, node);
  return stream_error(base::Status(Reason::BadRequest, "Upgrade request required"));
}

Response port_forward(const ServerState& st, const Request& req, const std::string& url, const std::string& node) {
  if (header_has(req, "upgrade", "websocket")) {
    if (!header_has(req, "sec-websocket-protocol", kPortForwardTunnel)) {
      return stream_error(base::Status(Reason::BadRequest, std::string("unable to upgrade: port forwarding over WebSocket needs the subprotocol ") + kPortForwardTunnel));
    }
    if (req.header("sec-websocket-key").empty()) {
      return stream_error(base::Status(Reason::BadRequest, "unable to upgrade: missing Sec-WebSocket-Key"));
    }
    auto agent = dial_spdy(st, url, {"portforward.k8s.io"});
    if (!agent) return stream_error(base::Status(agent.error().reason(), "error dialing the node agent on " + node + ": " + agent.error().message()));
    if (agent->status != 101) return agent_failure(*agent, node);
    Response r = websocket_accept_response(req, kPortForwardTunnel);
    auto backend = std::make_shared<http::ClientResponse>(std::move(*agent));
    r.upgrade = [backend](std::unique_ptr<http::RawStream> client) { bs::tunnel_websocket(*client, *backend->stream); };
    return r;
  }
  if (header_has(req, "upgrade", "spdy/3.1")) return splice_spdy(st, req, url, node);
  return stream_error(base::Status(Reason::BadRequest, "Upgrade request required"));
}

}  // namespace

base::Result<std::string> pick_container(const json& pod, const std::string& requested) {
  std::string name = pod.contains("metadata") ? pod["metadata"].value("name", "") : "";
  auto containers = names_of(pod, "containers");
  auto inits = names_of(pod, "initContainers");
  auto ephemeral = names_of(pod, "ephemeralContainers");
  if (requested.empty()) {
    if (containers.size() == 1) return containers[0];
    if (containers.empty()) return base::error(Reason::BadRequest, "a container name must be specified for pod " + name);
    std::string message = "a container name must be specified for pod " + name + ", choose one of: [" + join(containers) + "]";
    if (!inits.empty()) message += " or one of the init containers: [" + join(inits) + "]";
    return base::error(Reason::BadRequest, message);
  }
  for (const auto* list : {&containers, &inits, &ephemeral}) {
    if (std::find(list->begin(), list->end(), requested) != list->end()) return requested;
  }
  return base::error(Reason::BadRequest, "container " + requested + " is not valid for pod " + name);
}

base::Result<std::string> agent_address(const json& node) {
  std::string name = node.contains("metadata") ? node["metadata"].value("name", "") : "";
  const json status = node.value("status", json::object());
  std::string address;
  for (const char* type : {"InternalIP", "ExternalIP", "Hostname"}) {
    for (const auto& a : status.value("addresses", json::array())) {
      if (a.is_object() && a.value("type", "") == type && !a.value("address", "").empty()) {
        address = a.value("address", "");
        break;
      }
    }
    if (!address.empty()) break;
  }
  if (address.empty()) return base::error(Reason::InternalError, "node " + name + " has no address to reach its agent");
  int port = 10250;
  if (auto d = status.find("daemonEndpoints"); d != status.end() && d->is_object()) {
    if (auto k = d->find("kubeletEndpoint"); k != d->end() && k->is_object()) {
      int p = k->value("Port", 0);
      if (p > 0 && p < 65536) port = p;
    }
  }
  if (address.find(':') != std::string::npos) address = "[" + address + "]";
  return "https://" + address + ":" + std::to_string(port);
}

std::string agent_target(const std::string& sub, const std::string& ns, const std::string& pod,
                         const std::string& container, const Request& req) {
  std::string path;
  std::vector<std::pair<std::string, std::string>> q;
  if (sub == "log") {
    path = "/containerLogs/" + url_escape(ns) + "/" + url_escape(pod) + "/" + url_escape(container);
    for (const char* flag : {"follow", "previous", "timestamps"}) {
      if (truthy(req, flag)) q.emplace_back(flag, "true");
    }
    for (const char* value : {"sinceSeconds", "sinceTime", "tailLines", "limitBytes"}) {
      if (req.has_query(value)) q.emplace_back(value, req.query_value(value));
    }
  } else if (sub == "exec" || sub == "attach") {
    path = std::string(sub == "exec" ? "/exec/" : "/attach/") + url_escape(ns) + "/" + url_escape(pod) + "/" +
           url_escape(container);
    if (sub == "exec") {
      auto [lo, hi] = req.query.equal_range("command");
      for (auto it = lo; it != hi; ++it) q.emplace_back("command", it->second);
    }
    bool tty = truthy(req, "tty");
    if (truthy(req, "stdin")) q.emplace_back("input", "1");
    if (truthy(req, "stdout")) q.emplace_back("output", "1");
    if (truthy(req, "stderr") && !tty) q.emplace_back("error", "1");
    if (tty) q.emplace_back("tty", "1");
  } else {
    path = "/portForward/" + url_escape(ns) + "/" + url_escape(pod);
    auto [lo, hi] = req.query.equal_range("ports");
    for (auto it = lo; it != hi; ++it) q.emplace_back("port", it->second);
  }
  std::string target = path;
  for (size_t i = 0; i < q.size(); ++i) target += (i ? "&" : "?") + q[i].first + "=" + url_escape(q[i].second);
  return target;
}

Response rest_pod_stream(ServerState& st, Scope& s) {
  const std::string& sub = s.info.subresource;
  const std::string& name = s.info.name;
  if (sub == "log" && s.req.method != "GET") return status_response(method_not_supported(s));
  auto pod = read_object(st, *s.resource, object_key(s, name), name);
  if (!pod) return status_response(pod.error());
  const json& p = pod->object;
  std::string container;
  if (sub != "portforward") {
    auto c = pick_container(p, s.req.query_value("container"));
    if (!c) return status_response(c.error());
    container = *c;
  }
  if ((sub == "exec" || sub == "attach") && !truthy(s.req, "stdin") && !truthy(s.req, "stdout") &&
      !truthy(s.req, "stderr")) {
    return status_response(base::Status(Reason::BadRequest, "you must specify at least 1 of stdin, stdout, stderr"));
  }
  std::string node_name = p.value("spec", json::object()).value("nodeName", "");
  if (node_name.empty()) {
    return status_response(base::Status(Reason::BadRequest, "pod " + name + " does not have a host assigned"));
  }
  auto nodes = s.registry ? s.registry->find("", "v1", "nodes") : nullptr;
  if (!nodes) return status_response(base::Status(Reason::InternalError, "the nodes resource is not registered"));
  auto node = read_object(st, *nodes, nodes->key("", node_name), node_name);
  if (!node) {
    return status_response(base::Status(Reason::ServiceUnavailable, "cannot reach the agent of node " + node_name + " (pod " + name + "): " + node.error().message()));
  }
  auto base_url = agent_address(node->object);
  if (!base_url) return status_response(base::Status(Reason::ServiceUnavailable, base_url.error().message()));
  std::string url = *base_url + agent_target(sub, s.info.namespace_, name, container, s.req);
  KITE_LOG(debug, "apiserver") << "pods/" << sub << " " << s.info.namespace_ << "/" << name << " -> " << url;

  if (sub == "log") {
    auto agent = http::dial_http(agent_request(st, url));
    if (!agent) {
      return status_response(base::Status(agent.error().reason(), "error dialing the node agent on " + node_name + ": " + agent.error().message()));
    }
    if (agent->status != 200) return agent_failure(*agent, node_name);
    return relay_log(std::move(*agent));
  }
  if (sub == "exec" || sub == "attach") {
    bs::ExecStreams streams{.stdin_open = truthy(s.req, "stdin"),
                            .stdout_open = truthy(s.req, "stdout"),
                            .stderr_open = truthy(s.req, "stderr"),
                            .tty = truthy(s.req, "tty")};
    return exec_or_attach(st, s.req, url, node_name, streams);
  }
  return port_forward(st, s.req, url, node_name);
}

}  // namespace kite::apiserver
