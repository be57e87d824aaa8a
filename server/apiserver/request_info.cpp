#include "server/apiserver/request_info.h"

namespace kite::apiserver {
namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    if (slash > pos) out.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

bool truthy(const std::string& v) {
  return v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True";
}

}  // namespace

bool query_flag(const base::http::Request& req, const std::string& key) { return truthy(req.query_value(key)); }

RequestInfo parse_request_info(const base::http::Request& req) {
  RequestInfo info;
  auto segs = split_path(req.path);
  if (segs.empty() || (segs[0] != "api" && segs[0] != "apis")) return info;
  info.api_prefix = segs[0];
  size_t i = 1;
  if (info.api_prefix == "apis") {
    if (segs.size() < 3) return info;  // /apis or /apis/group: discovery
    info.group = segs[1];
    info.version = segs[2];
    i = 3;
  } else {
    if (segs.size() < 2) return info;  // /api
    info.version = segs[1];
    i = 2;
  }
  info.parts.assign(segs.begin() + static_cast<long>(i), segs.end());
  if (info.parts.empty()) return info;  // group-version discovery
  info.resource_request = true;

  auto& p = info.parts;
  // /namespaces/{ns}/{resource}... ; /namespaces and /namespaces/{name}[/status|/finalize]
  if (p[0] == "namespaces" && p.size() >= 3) {
    info.namespace_ = p[1];
    info.resource = p[2];
    if (p.size() >= 4) info.name = p[3];
    if (p.size() >= 5) info.subresource = p[4];
  } else {
    info.resource = p[0];
    if (p.size() >= 2) info.name = p[1];
    if (p.size() >= 3) info.subresource = p[2];
  }
  // namespaces/{name}/{status|finalize} parses above as namespace_=name, resource=status.
  if (p[0] == "namespaces" && p.size() == 3 && (p[2] == "status" || p[2] == "finalize")) {
    info.namespace_.clear();
    info.resource = "namespaces";
    info.name = p[1];
    info.subresource = p[2];
  }

  const std::string& m = req.method;
  if (m == "GET" || m == "HEAD") {
    if (truthy(req.query_value("watch"))) {
      info.verb = "watch";
    } else if (info.name.empty()) {
      info.verb = "list";
    } else {
      info.verb = "get";
    }
  } else if (m == "POST") {
    info.verb = "create";
  } else if (m == "PUT") {
    info.verb = "update";
  } else if (m == "PATCH") {
    info.verb = "patch";
  } else if (m == "DELETE") {
    info.verb = info.name.empty() ? "deletecollection" : "delete";
  } else {
    info.verb = m;
  }
  return info;
}

}  // namespace kite::apiserver
