#include "server/apiserver/api_server.h"


#include "api/openapi/openapi.h"
#include "base/log.h"
#include "base/pki.h"
#include "server/apiserver/discovery.h"
#include "server/apiserver/namespace_finalizer.h"
#include "server/apiserver/pod_streams.h"
#include "server/apiserver/rest.h"
#include "server/apiserver/selection.h"
#include "server/apiserver/service_account_tokens.h"
#include "server/apiserver/write_pipeline.h"

namespace kite::apiserver {

namespace {

const char* kSystemNamespaces[] = {"default", "kube-system", "kube-public", "kube-node-lease"};

Response text_response(int code, std::string body) {
  Response r;
  r.status = code;
  r.set_header("Content-Type", "text/plain; charset=utf-8");
  r.set_header("X-Content-Type-Options", "nosniff");
  r.body = std::move(body);
  return r;
}

// `kubectl auth whoami`: who the caller is, as authentication saw it.
Response self_subject_review(const UserInfo& user) {
  json info = {{"username", user.name}, {"groups", user.groups}};
  if (!user.uid.empty()) info["uid"] = user.uid;
  return json_response(201, {{"kind", "SelfSubjectReview"},
                             {"apiVersion", "authentication.k8s.io/v1"},
                             {"metadata", {{"creationTimestamp", nullptr}}},
                             {"status", {{"userInfo", info}}}});
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// OpenAPI documents, rebuilt only when the set of served resources changes.
class OpenApiCache {
 public:
  Response v2(const api::Registry& reg, const Request& req) {
    std::lock_guard lock(mu_);
    refresh(reg);
    std::string accept = req.header("accept");
    if (accept.find("application/com.github.proto-openapi.spec.v2") != std::string::npos) {
      if (v2_proto_.empty()) v2_proto_ = api::openapi_v2_protobuf(reg);
      Response r;
      // kubectl asks for the "spec.v2@v1.0" spelling but cannot parse it as a media type:
      // kube-apiserver answers both spellings with this one.
      r.set_header("Content-Type", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
      r.body = v2_proto_;
      return r;
    }
    if (v2_json_.empty()) v2_json_ = api::openapi_v2_json(reg).dump();
    return raw_json_response(200, v2_json_);
  }

  Response v3(const api::Registry& reg, const std::string& path) {
    std::lock_guard lock(mu_);
    refresh(reg);
    if (path == "/openapi/v3" || path == "/openapi/v3/") {
      if (v3_root_.empty()) v3_root_ = api::openapi_v3_root(reg).dump();
      return raw_json_response(200, v3_root_);
    }
    std::string gv = path.substr(std::string("/openapi/v3/").size());
    auto it = v3_docs_.find(gv);
    if (it == v3_docs_.end()) {
      std::string group, version;
      if (gv.starts_with("api/")) {
        version = gv.substr(4);
      } else if (gv.starts_with("apis/")) {
        auto rest = gv.substr(5);
        auto slash = rest.find('/');
        if (slash == std::string::npos) return status_response(base::Status(Reason::NotFound, "the server could not find the requested resource"));
        group = rest.substr(0, slash);
        version = rest.substr(slash + 1);
      } else {
        return status_response(base::Status(Reason::NotFound, "the server could not find the requested resource"));
      }
      json doc = api::openapi_v3_group_version(reg, group, version);
      if (doc.is_null() || (doc.is_object() && doc.empty())) {
        return status_response(base::Status(Reason::NotFound, "the server could not find the requested resource"));
      }
      it = v3_docs_.emplace(gv, doc.dump()).first;
    }
    return raw_json_response(200, it->second);
  }

 private:
  void refresh(const api::Registry& reg) {
    std::string fp;
    for (const auto& r : reg.all()) fp += r->api_version() + "/" + r->plural + (r->schema ? "+" : "-") + ";";
    if (fp == fingerprint_) return;
    fingerprint_ = fp;
    v2_proto_.clear();
    v2_json_.clear();
    v3_root_.clear();
    v3_docs_.clear();
  }

  std::mutex mu_;
  std::string fingerprint_;
  std::string v2_proto_, v2_json_, v3_root_;
  std::map<std::string, std::string> v3_docs_;
};

}  // namespace

struct ApiServer::Impl {
  ServerState state;
  Authenticator authn;
  ClusterAuthorizer authz;
  std::unique_ptr<NodeBootstrapEndpoints> node_bootstrap;
  OpenApiCache openapi;
  std::unique_ptr<base::http::Server> http;
  std::unique_ptr<NamespaceFinalizer> namespaces;
  std::unique_ptr<ServiceAccountTokens> sa_tokens = std::make_unique<ServiceAccountTokens>("");
  std::atomic<bool>* ready = nullptr;

  Impl(ApiServerOptions o, kv::Store& store)
      : state{std::move(o), api::Registry::with_builtins(), store, nullptr} {}

  Response handle_non_resource(Request& req);
  Response handle_resource(Request& req, const RequestInfo& info, const UserInfo& user);
  Response route(Request& req, const UserInfo& user);
  std::string server_address() const {
    std::string host = state.options.advertise_address.empty() ? "127.0.0.1" : state.options.advertise_address;
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return host + ":" + std::to_string(http ? http->port() : state.options.http.port);
  }
};

ApiServer::ApiServer(ApiServerOptions options, kv::Store& store)
    : impl_(std::make_unique<Impl>(std::move(options), store)) {
  impl_->ready = &ready_;
}

ApiServer::~ApiServer() { stop(); }

uint16_t ApiServer::port() const { return impl_->http ? impl_->http->port() : 0; }

base::Result<void> ApiServer::start() {
  auto& im = *impl_;
  auto authn = Authenticator::create(im.state.options.token_auth_file);
  if (!authn) return std::unexpected(authn.error());
  im.authn = std::move(*authn);
  if (!im.state.options.service_account_key_file.empty()) {
    auto key = base::read_file(im.state.options.service_account_key_file);
    if (!key) return std::unexpected(key.error());
    im.sa_tokens = std::make_unique<ServiceAccountTokens>(*key);
  }

  auto services = ServiceAllocator::create(im.state.store, im.state.options.service_cidr);
  if (!services) return std::unexpected(services.error());
  im.state.services = std::make_unique<ServiceAllocator>(std::move(*services));

  auto registry = im.state.registry;
  im.state.cache = std::make_unique<WatchCache>(
      im.state.store,
      [registry](const std::string& key, const json& obj, CacheEntry& entry) {
        if (auto r = resource_for_key(*registry, key)) index_fields(*r, obj, entry);
      },
      im.state.options.cache);
  // Custom resources appear and disappear with their definitions, whoever writes them.
  auto crds = registry->find("apiextensions.k8s.io", "v1", "customresourcedefinitions");
  std::string crd_prefix = crds->storage_prefix + "/";
  im.state.cache->add_listener([this, crd_prefix](const CacheEvent& ev) {
    if (!ev.entry || !ev.entry->key.starts_with(crd_prefix)) return;
    json crd = json::parse(*ev.entry->bytes, nullptr, false);
    if (crd.is_object()) sync_crd_registration(impl_->state, crd, ev.type == CacheEvent::Type::Deleted);
  });
  if (auto r = im.state.cache->start(); !r) return r;
  for (const auto& e : im.state.cache->list(crd_prefix, nullptr, "", 0).items) {
    json crd = json::parse(*e->bytes, nullptr, false);
    if (crd.is_object()) sync_crd_registration(im.state, crd, false);
  }

  if (im.state.options.node_bootstrap) {
    UserInfo bootstrapper{"system:kite-bootstrap", "", {"system:masters"}};
    im.node_bootstrap = std::make_unique<NodeBootstrapEndpoints>(
        *im.state.options.node_bootstrap, [this, bootstrapper](Request& req) { return impl_->route(req, bootstrapper); });
  }
  im.http = std::make_unique<base::http::Server>(im.state.options.http, [this](Request& req) { return handle(req); });
  if (auto r = im.http->start(); !r) return r;

  // The namespaces every cluster has.
  UserInfo system{"system:apiserver", "", {"system:masters"}};
  for (const char* ns : kSystemNamespaces) {
    Request req = internal_request("POST", "/api/v1/namespaces", "application/json",
                                   json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}}.dump());
    Response res = im.route(req, system);
    if (res.status != 201 && res.status != 409) {
      return base::error(base::Reason::InternalError, std::string("creating namespace ") + ns + ": " + res.body);
    }
  }
  // The `kubernetes` Service in default, on the first service IP, as every cluster has it.
  {
    Request req = internal_request("POST", "/api/v1/namespaces/default/services", "application/json");
    req.body = json{{"apiVersion", "v1"},
                    {"kind", "Service"},
                    {"metadata", {{"name", "kubernetes"}, {"labels", {{"component", "apiserver"}, {"provider", "kubernetes"}}}}},
                    {"spec", {{"clusterIP", im.state.services->first_ip()},
                              {"ports", {{{"name", "https"}, {"port", 443}, {"protocol", "TCP"},
                                          {"targetPort", static_cast<int>(im.http->port())}}}}}}}
                   .dump();
    Response res = im.route(req, system);
    if (res.status != 201 && res.status != 409) {
      KITE_LOG(warn, "apiserver") << "creating the kubernetes Service: " << res.body;
    }
  }
  im.namespaces = std::make_unique<NamespaceFinalizer>(
      im.state, [this, system](Request& req) { return impl_->route(req, system); });
  im.namespaces->start();
  ready_ = true;
  KITE_LOG(info, "apiserver") << "serving on " << im.state.options.http.bind_address << ":" << im.http->port();
  return {};
}

void ApiServer::stop() {
  auto& im = *impl_;
  ready_ = false;
  if (im.namespaces) im.namespaces->stop();
  if (im.http) im.http->stop();
  if (im.state.cache) im.state.cache->stop();
}

Response ApiServer::handle(Request& req) {
  if (impl_->node_bootstrap && NodeBootstrapEndpoints::handles(req.path)) return impl_->node_bootstrap->handle(req);
  auto user = impl_->authn.authenticate(req);
  if (!user) {
    std::string auth = req.header("authorization");
    if (auth.starts_with("Bearer ")) user = impl_->sa_tokens->authenticate(impl_->state, auth.substr(7));
  }
  if (!user) {
    return status_response(base::Status(Reason::Unauthorized, "Unauthorized"));
  }
  return impl_->route(req, *user);
}

Response ApiServer::Impl::route(Request& req, const UserInfo& user) {
  RequestInfo info = parse_request_info(req);
  base::Status allowed = authz.authorize(user, info);
  if (!allowed.is_ok()) return status_response(allowed);
  if (!info.resource_request) return handle_non_resource(req);
  return handle_resource(req, info, user);
}

Response ApiServer::Impl::handle_non_resource(Request& req) {
  const std::string& p = req.path;
  if (req.method != "GET" && req.method != "HEAD") {
    return status_response(base::Status(Reason::MethodNotAllowed, "the server does not allow this method on the requested resource"));
  }
  if (p == "/healthz" || p == "/livez") return text_response(200, "ok");
  if (p == "/readyz") {
    if (!*ready) return text_response(500, "[-]kite-apiserver not ready\nreadyz check failed");
    // Ready only while the datastore answers.
    if (auto rev = state.store.current_revision(); !rev) {
      return text_response(500, "[+]ping ok\n[-]etcd failed: " + rev.error().message() + "\nreadyz check failed");
    }
    return text_response(200, "ok");
  }
  if (p == "/version" || p == "/version/") return json_response(200, version_info());
  if (p == "/api" || p == "/api/") return json_response(200, api_versions(server_address()));
  if (p == "/apis" || p == "/apis/") return json_response(200, api_group_list(*state.registry));
  if (p.starts_with("/apis/")) {
    auto group = p.substr(6);
    if (!group.empty() && group.back() == '/') group.pop_back();
    if (group.find('/') == std::string::npos) {
      if (auto g = api_group(*state.registry, group)) return json_response(200, *g);
    } else {
      auto slash = group.find('/');
      if (auto l = api_resource_list(*state.registry, group.substr(0, slash), group.substr(slash + 1))) {
        return json_response(200, *l);
      }
    }
  }
  if (p.starts_with("/api/")) {
    if (auto l = api_resource_list(*state.registry, "", p.substr(5))) return json_response(200, *l);
  }
  if (p == "/openapi/v2") return openapi.v2(*state.registry, req);
  if (p.starts_with("/openapi/v3")) return openapi.v3(*state.registry, p);
  return status_response(base::Status(Reason::NotFound, "the server could not find the requested resource"));
}

Response ApiServer::Impl::handle_resource(Request& req, const RequestInfo& info, const UserInfo& user) {
  auto resource = state.registry->find(info.group, info.version, info.resource);
  auto not_found_resource = [&] {
    return status_response(base::Status(Reason::NotFound, "the server could not find the requested resource"));
  };
  if (!resource) return not_found_resource();
  if (!resource->namespaced && !info.namespace_.empty()) return not_found_resource();
  Scope s{req, info, resource, user, state.registry.get()};
  const std::string& sub = info.subresource;
  if (!sub.empty() && !resource->has_subresource(sub)) return not_found_resource();

  if (sub.empty()) {
    if (!contains(resource->verbs, info.verb)) return status_response(method_not_supported(s));
    if ((info.verb == "update" || info.verb == "patch") && info.name.empty()) {
      return status_response(method_not_supported(s));
    }
    if (resource->group == "authentication.k8s.io" && resource->plural == "selfsubjectreviews") {
      return self_subject_review(user);
    }
    if (info.verb == "get") return rest_get(state, s);
    if (info.verb == "list") return rest_list(state, s);
    if (info.verb == "watch") return rest_watch(state, s);
    if (info.verb == "create") {
      if (resource->group.empty() && resource->plural == "bindings") return rest_binding(state, s);
      return rest_create(state, s);
    }
    if (info.verb == "update") return rest_update(state, s);
    if (info.verb == "patch") return rest_patch(state, s);
    if (info.verb == "delete") return rest_delete(state, s);
    if (info.verb == "deletecollection") return rest_delete_collection(state, s);
    return status_response(method_not_supported(s));
  }
  if (sub == "status") {
    if (info.verb == "get") return rest_get(state, s);
    if (info.verb == "update") return rest_update(state, s);
    if (info.verb == "patch") return rest_patch(state, s);
    return status_response(method_not_supported(s));
  }
  if (sub == "scale") return rest_scale(state, s);
  if (sub == "binding") return rest_binding(state, s);
  if (sub == "eviction") return rest_eviction(state, s);
  if (sub == "finalize") return rest_finalize(state, s);
  if (sub == "token" && resource->group.empty() && resource->plural == "serviceaccounts") {
    return sa_tokens->issue(state, s);
  }
  if (resource->group.empty() && resource->plural == "pods" &&
      (sub == "log" || sub == "exec" || sub == "attach" || sub == "portforward")) {
    return rest_pod_stream(state, s);
  }
  if (sub == "log" || sub == "exec" || sub == "attach" || sub == "portforward" || sub == "proxy") {
    base::Status st(Reason::ServiceUnavailable,
                    "no node agent: pods/" + sub + " needs the kite agent on the pod's node, which this server "
                    "does not have yet");
    st.with_details(info.name, "", "pods");
    return status_response(st);
  }
  return not_found_resource();
}

}  // namespace kite::apiserver
