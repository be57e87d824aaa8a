#include "server/apiserver/dependents_finalizer.h"

#include "base/log.h"

namespace kite::apiserver {

DependentsFinalizer::DependentsFinalizer(ServerState& state, std::function<Response(Request&)> call)
    : state_(state), call_(std::move(call)) {}

namespace {
bool waits_on_dependents(const std::string& bytes) {
  return bytes.find("\"deletionTimestamp\"") != std::string::npos &&
         (bytes.find("\"orphan\"") != std::string::npos ||
          bytes.find("\"foregroundDeletion\"") != std::string::npos);
}
}  // namespace

void DependentsFinalizer::start() {
  // Objects already waiting when we start, then every change from the cache.
  for (const auto& e : state_.cache->list("/registry/", nullptr, "", 0).items) {
    if (waits_on_dependents(*e->bytes)) waiting_.insert(e->key);
  }
  state_.cache->add_listener([this](const CacheEvent& ev) { note(ev); });
  thread_.start(std::chrono::seconds(1), [this] { scan(); });
}

void DependentsFinalizer::note(const CacheEvent& ev) {
  if (!ev.entry) return;
  std::lock_guard lock(mu_);
  if (ev.type != CacheEvent::Type::Deleted && waits_on_dependents(*ev.entry->bytes)) {
    waiting_.insert(ev.entry->key);
  } else {
    waiting_.erase(ev.entry->key);
  }
}

void DependentsFinalizer::stop() { thread_.stop(); }

namespace {

bool has_finalizer(const json& obj, const std::string& f) {
  const json& list = obj["metadata"].value("finalizers", json::array());
  for (const auto& x : list) {
    if (x == f) return true;
  }
  return false;
}

}  // namespace

void DependentsFinalizer::scan() {
  std::set<std::string> keys;
  {
    std::lock_guard lock(mu_);
    keys = waiting_;
  }
  for (const auto& key : keys) {
    if (thread_.stopping()) return;
    auto e = state_.cache->get(key);
    if (!e || !waits_on_dependents(*e->bytes)) continue;
    json obj = json::parse(*e->bytes, nullptr, false);
    if (!obj.is_object() || !obj["metadata"].contains("deletionTimestamp")) continue;
    std::string uid = obj["metadata"].value("uid", "");
    if (uid.empty()) continue;
    if (has_finalizer(obj, "orphan") && handle_dependents(uid, true)) remove_finalizer(e, obj, "orphan");
    if (has_finalizer(obj, "foregroundDeletion") && handle_dependents(uid, false)) {
      remove_finalizer(e, obj, "foregroundDeletion");
    }
  }
}

bool DependentsFinalizer::handle_dependents(const std::string& owner_uid, bool orphan) {
  bool none_left = true;
  for (const auto& e : state_.cache->list("/registry/", nullptr, "", 0).items) {
    if (e->bytes->find(owner_uid) == std::string::npos) continue;
    json obj = json::parse(*e->bytes, nullptr, false);
    if (!obj.is_object()) continue;
    const json& refs = obj["metadata"].value("ownerReferences", json::array());
    json kept = json::array();
    bool owned = false;
    for (const auto& ref : refs) {
      if (ref.value("uid", "") == owner_uid) {
        owned = true;
      } else {
        kept.push_back(ref);
      }
    }
    if (!owned) continue;
    none_left = false;
    auto r = resource_for_key(*state_.registry, e->key);
    if (!r) continue;
    std::string path = object_path(*r, obj["metadata"].value("namespace", ""), obj["metadata"].value("name", ""));
    Request req;
    if (orphan) {
      json patch = {{"metadata", {{"ownerReferences", kept.empty() ? json(nullptr) : kept},
                                  {"resourceVersion", obj["metadata"].value("resourceVersion", "")}}}};
      req = internal_request("PATCH", path, "application/merge-patch+json", patch.dump());
    } else {
      if (obj["metadata"].contains("deletionTimestamp")) continue;  // already going
      req = internal_request("DELETE", path, "application/json",
                             json{{"propagationPolicy", "Background"}}.dump());
    }
    Response res = call_(req);
    if (res.status >= 300 && res.status != 404 && res.status != 409) {
      KITE_LOG(warn, "dependents-finalizer") << req.method << " " << path << ": " << res.body;
    }
  }
  return none_left;
}

void DependentsFinalizer::remove_finalizer(const EntryPtr& owner, const json& obj, const std::string& finalizer) {
  auto r = resource_for_key(*state_.registry, owner->key);
  if (!r) return;
  json kept = json::array();
  for (const auto& f : obj["metadata"].value("finalizers", json::array())) {
    if (f != finalizer) kept.push_back(f);
  }
  json patch = {{"metadata", {{"finalizers", kept.empty() ? json(nullptr) : kept},
                              {"resourceVersion", obj["metadata"].value("resourceVersion", "")}}}};
  std::string path = object_path(*r, obj["metadata"].value("namespace", ""), obj["metadata"].value("name", ""));
  Request req = internal_request("PATCH", path, "application/merge-patch+json", patch.dump());
  Response res = call_(req);
  if (res.status >= 300 && res.status != 404 && res.status != 409) {
    KITE_LOG(warn, "dependents-finalizer") << "removing " << finalizer << " from " << path << ": " << res.body;
  }
}

}  // namespace kite::apiserver
