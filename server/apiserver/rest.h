// Shared declarations of the REST handlers (rest_*.cpp): the server state they use, the
// per-request Scope, response builders and datastore helpers. Internal to apiserver/.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "api/resource.h"
#include "base/http/types.h"
#include "base/status.h"
#include "server/apiserver/api_server.h"
#include "server/apiserver/authn.h"
#include "server/apiserver/request_info.h"
#include "server/apiserver/service_allocator.h"
#include "server/apiserver/watch_cache.h"
#include "server/kv/store.h"

namespace kite::apiserver {

using json = nlohmann::json;
using base::Reason;
using base::Result;
using base::http::Request;
using base::http::Response;

// Everything the handlers share. Thread-safe members only.
struct ServerState {
  ApiServerOptions options;
  std::shared_ptr<api::Registry> registry;
  kv::Store& store;
  std::unique_ptr<WatchCache> cache;
  std::unique_ptr<ServiceAllocator> services;
  std::chrono::milliseconds read_timeout{3000};
};

// One resource request, after authentication and routing.
struct Scope {
  Request& req;
  RequestInfo info;
  api::ResourceInfoPtr resource;
  UserInfo user;
  const api::Registry* registry = nullptr;  // for decoding protobuf bodies
};

// --- responses (responses.cpp) ---
Response status_response(const base::Status& status);
Response json_response(int code, const json& body);
Response raw_json_response(int code, std::string body);
// Failure statuses worded as Kubernetes words them.
base::Status not_found(const api::ResourceInfo& r, const std::string& name);
base::Status already_exists(const api::ResourceInfo& r, const std::string& name);
base::Status conflict(const api::ResourceInfo& r, const std::string& name, const std::string& why);
base::Status bad_request(const std::string& message);
base::Status method_not_supported(const Scope& s);

// --- request bodies and content negotiation (content.cpp) ---
// Parses a JSON, YAML or Kubernetes protobuf body (by Content-Type). BadRequest when
// malformed; 415 for other types. Protobuf needs the registry (to find the kind's schema);
// `protobuf_type` names the message when the body is an options type (DeleteOptions).
Result<json> decode_body(const Request& req, const api::Registry* registry = nullptr,
                         const std::string& protobuf_type = "");
enum class Output { Json, Table };
// Json, Table (as=Table), or NotAcceptable.
Result<Output> negotiate_output(const Request& req);
bool is_dry_run(const Request& req, base::Status* error);

// --- datastore access (object_store.cpp) ---
struct StoredObject {
  json object;  // with metadata.resourceVersion
  int64_t mod_revision = 0;
};
// Reads the latest state straight from the store. NotFound worded for `r`.
Result<StoredObject> read_object(ServerState& st, const api::ResourceInfo& r, const std::string& key,
                                 const std::string& name);
// Encodes `obj` (without resourceVersion) and creates it; returns it with its resourceVersion.
Result<json> create_object(ServerState& st, const api::ResourceInfo& r, const std::string& key, json obj);
// Replaces the object if it is still at `expected_rev`; Conflict otherwise.
Result<json> update_object(ServerState& st, const api::ResourceInfo& r, const std::string& key, json obj,
                           int64_t expected_rev);
// Deletes the object if it is still at `expected_rev` (0 = any).
Result<void> delete_object(ServerState& st, const api::ResourceInfo& r, const std::string& key,
                           const std::string& name, int64_t expected_rev);
// The largest object the datastore accepts.
constexpr size_t kMaxObjectBytes = 1536 * 1024;

// --- handlers ---
Response rest_get(ServerState& st, Scope& s);
Response rest_list(ServerState& st, Scope& s);
Response rest_watch(ServerState& st, Scope& s);
Response rest_create(ServerState& st, Scope& s);
Response rest_update(ServerState& st, Scope& s);
Response rest_patch(ServerState& st, Scope& s);
Response rest_delete(ServerState& st, Scope& s);
Response rest_delete_collection(ServerState& st, Scope& s);
Response rest_scale(ServerState& st, Scope& s);
Response rest_binding(ServerState& st, Scope& s);
Response rest_eviction(ServerState& st, Scope& s);
Response rest_finalize(ServerState& st, Scope& s);

// events.k8s.io/v1 Events: stored in the core/v1 shape, converted on the way in and out.
inline bool is_events_v1(const api::ResourceInfo& r) { return r.group == "events.k8s.io" && r.kind == "Event"; }
// The bytes of a cached object as `r` serves them: the stored bytes, or (custom resources
// read under another version, events.k8s.io Events) a converted copy.
std::shared_ptr<const std::string> served_bytes(const api::ResourceInfo& r, const CacheEntry& e);

// True for core/v1 Services (which get ClusterIPs and NodePorts allocated).
inline bool is_service(const api::ResourceInfo& r) { return r.group.empty() && r.kind == "Service"; }

// The object key for the scope's namespace/name.
std::string object_key(const Scope& s, const std::string& name);
// The resource whose objects live under `key` (first match: resources that share storage,
// like the versions of a custom resource, share it), or null.
api::ResourceInfoPtr resource_for_key(const api::Registry& registry, const std::string& key);

// A request the server sends to itself (system controllers, start-up objects).
Request internal_request(const std::string& method, const std::string& path, const std::string& content_type = "",
                         std::string body = "");

// The API path of an object: /api/v1/namespaces/ns/pods/name, /apis/apps/v1/...
std::string object_path(const api::ResourceInfo& r, const std::string& ns, const std::string& name);

}  // namespace kite::apiserver
