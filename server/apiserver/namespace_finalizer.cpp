#include "server/apiserver/namespace_finalizer.h"

#include "base/log.h"

namespace kite::apiserver {

NamespaceFinalizer::NamespaceFinalizer(ServerState& state, std::function<Response(Request&)> call)
    : state_(state), call_(std::move(call)) {}

void NamespaceFinalizer::start() {
  thread_.start(std::chrono::seconds(1), [this] { scan(); });
}

void NamespaceFinalizer::stop() { thread_.stop(); }

void NamespaceFinalizer::scan() {
  auto ns_info = state_.registry->find("", "v1", "namespaces");
  for (const auto& e : state_.cache->list(ns_info->storage_prefix + "/", nullptr, "", 0).items) {
    if (thread_.stopping()) return;
    if (e->bytes->find("\"deletionTimestamp\"") == std::string::npos) continue;
    json ns = json::parse(*e->bytes, nullptr, false);
    if (!ns.is_object() || !ns["metadata"].contains("deletionTimestamp")) continue;
    finalize(ns["metadata"].value("name", ""));
  }
}

void NamespaceFinalizer::finalize(const std::string& ns) {
  bool remaining = false;
  for (const auto& r : state_.registry->all()) {
    if (!r->namespaced || !std::count(r->verbs.begin(), r->verbs.end(), "delete")) continue;
    // Resources sharing storage (several versions of one custom resource) are emptied once.
    auto items = state_.cache->list(r->storage_prefix + "/" + ns + "/", nullptr, "", 0).items;
    for (const auto& e : items) {
      remaining = true;
      if (e->bytes->find("\"deletionTimestamp\"") != std::string::npos) continue;  // already on its way
      json obj = json::parse(*e->bytes, nullptr, false);
      if (!obj.is_object()) continue;
      Request req = internal_request("DELETE", object_path(*r, ns, obj["metadata"].value("name", "")));
      Response res = call_(req);
      if (res.status != 200 && res.status != 404) {
        KITE_LOG(warn, "namespace-finalizer") << "deleting " << req.path << ": " << res.body;
      }
    }
  }
  if (remaining) return;
  Request req = internal_request("PUT", "/api/v1/namespaces/" + ns + "/finalize", "application/json",
                                 json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}},
                                      {"spec", {{"finalizers", json::array()}}}}
                                     .dump());
  Response res = call_(req);
  if (res.status != 200 && res.status != 404) {
    KITE_LOG(warn, "namespace-finalizer") << "finalizing namespace " << ns << ": " << res.body;
  }
}

}  // namespace kite::apiserver
