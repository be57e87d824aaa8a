#include "server/apiserver/rest.h"

namespace kite::apiserver {

Response raw_json_response(int code, std::string body) {
  Response r;
  r.status = code;
  r.set_header("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

Response json_response(int code, const json& body) { return raw_json_response(code, body.dump()); }

Response status_response(const base::Status& status) {
  auto r = json_response(status.code(), status.to_json());
  if (status.reason() == Reason::TooManyRequests || status.reason() == Reason::ServiceUnavailable) {
    r.set_header("Retry-After", "1");
  }
  return r;
}

namespace {
std::string qualified(const api::ResourceInfo& r) { return r.group_resource(); }
}  // namespace

base::Status not_found(const api::ResourceInfo& r, const std::string& name) {
  base::Status s(Reason::NotFound, qualified(r) + " \"" + name + "\" not found");
  s.with_details(name, r.group, r.plural);
  return s;
}

base::Status already_exists(const api::ResourceInfo& r, const std::string& name) {
  base::Status s(Reason::AlreadyExists, qualified(r) + " \"" + name + "\" already exists");
  s.with_details(name, r.group, r.plural);
  return s;
}

base::Status conflict(const api::ResourceInfo& r, const std::string& name, const std::string& why) {
  base::Status s(Reason::Conflict, "Operation cannot be fulfilled on " + qualified(r) + " \"" + name + "\": " + why);
  s.with_details(name, r.group, r.plural);
  return s;
}

base::Status bad_request(const std::string& message) { return base::Status(Reason::BadRequest, message); }

base::Status method_not_supported(const Scope& s) {
  std::string what = s.info.resource + (s.info.subresource.empty() ? "" : "/" + s.info.subresource);
  base::Status st(Reason::MethodNotAllowed, "the server does not allow this method on the requested resource");
  st.with_details(s.info.name, s.info.group, what);
  return st;
}

api::ResourceInfoPtr resource_for_key(const api::Registry& registry, const std::string& key) {
  for (const auto& r : registry.all()) {
    const std::string& p = r->storage_prefix;
    if (!p.empty() && key.size() > p.size() && key.starts_with(p) && key[p.size()] == '/') return r;
  }
  return nullptr;
}

Request internal_request(const std::string& method, const std::string& path, const std::string& content_type,
                         std::string body) {
  Request req;
  req.method = method;
  req.path = path;
  req.target = path;
  if (!content_type.empty()) req.headers["content-type"] = content_type;
  req.body = std::move(body);
  return req;
}

std::string object_path(const api::ResourceInfo& r, const std::string& ns, const std::string& name) {
  std::string p = r.group.empty() ? "/api/" + r.version : "/apis/" + r.group + "/" + r.version;
  if (r.namespaced && !ns.empty()) p += "/namespaces/" + ns;
  return p + "/" + r.plural + "/" + name;
}

std::string object_key(const Scope& s, const std::string& name) {
  return s.resource->key(s.resource->namespaced ? s.info.namespace_ : "", name);
}

}  // namespace kite::apiserver
