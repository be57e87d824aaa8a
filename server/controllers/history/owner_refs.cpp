#include "server/controllers/history/owner_refs.h"

#include <optional>

namespace kite::controllers::history {

std::string meta_string(const json& obj, const char* field) {
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) return "";
  auto f = m->find(field);
  if (f == m->end() || !f->is_string()) return "";
  return f->get<std::string>();
}

json with_type_meta(const json& obj, const std::string& api_version, const std::string& kind) {
  json out = obj;
  if (!out.contains("apiVersion") || !out["apiVersion"].is_string()) out["apiVersion"] = api_version;
  if (!out.contains("kind") || !out["kind"].is_string()) out["kind"] = kind;
  return out;
}

json controller_ref(const json& owner, const std::string& api_version, const std::string& kind) {
  return json{{"apiVersion", api_version}, {"kind", kind},           {"name", meta_string(owner, "name")},
              {"uid", meta_string(owner, "uid")}, {"controller", true}, {"blockOwnerDeletion", true}};
}

const json* controller_of(const json& obj) {
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) return nullptr;
  auto refs = m->find("ownerReferences");
  if (refs == m->end() || !refs->is_array()) return nullptr;
  for (const auto& ref : *refs) {
    if (ref.is_object() && ref.value("controller", false)) return &ref;
  }
  return nullptr;
}

bool is_controlled_by(const json& obj, const std::string& owner_uid) {
  const json* ref = controller_of(obj);
  return ref != nullptr && ref->value("uid", "") == owner_uid;
}

bool being_deleted(const json& obj) {
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) return false;
  auto d = m->find("deletionTimestamp");
  return d != m->end() && !d->is_null();
}

namespace {

json labels_of(const json& obj) {
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) return json::object();
  auto l = m->find("labels");
  if (l == m->end() || !l->is_object()) return json::object();
  return *l;
}

base::Result<void> adopt(client::Client& client, const client::ResourceRef& resource, const json& obj,
                         const json& ref) {
  json updated = obj;
  json& refs = updated["metadata"]["ownerReferences"];
  if (!refs.is_array()) refs = json::array();
  refs.push_back(ref);
  auto r = client.update(resource, updated);
  if (!r) return base::error(r.error());
  return {};
}

base::Result<void> release(client::Client& client, const client::ResourceRef& resource, const json& obj,
                           const std::string& owner_uid) {
  json updated = obj;
  json& refs = updated["metadata"]["ownerReferences"];
  json kept = json::array();
  for (const auto& ref : refs) {
    if (ref.value("uid", "") != owner_uid) kept.push_back(ref);
  }
  if (kept.empty())
    updated["metadata"].erase("ownerReferences");
  else
    refs = kept;
  auto r = client.update(resource, updated);
  if (!r && r.error().reason() != base::Reason::NotFound && r.error().reason() != base::Reason::Invalid)
    return base::error(r.error());
  return {};
}

}  // namespace

base::Result<std::vector<client::ObjectPtr>> claim_objects(client::Client& client, const client::ResourceRef& resource,
                                                           const json& owner, const std::string& owner_api_version,
                                                           const std::string& owner_kind,
                                                           const api::LabelSelector& selector,
                                                           const std::vector<client::ObjectPtr>& candidates,
                                                           const CanAdoptFn& can_adopt) {
  const std::string uid = meta_string(owner, "uid");
  const bool owner_deleting = being_deleted(owner);
  std::optional<base::Result<void>> adopt_ok;
  std::vector<client::ObjectPtr> claimed;
  for (const auto& obj : candidates) {
    const json* ref = controller_of(*obj);
    const bool matches = selector.matches(labels_of(*obj));
    if (ref != nullptr) {
      if (ref->value("uid", "") != uid) continue;  // another controller's
      if (matches || owner_deleting) {
        claimed.push_back(obj);
        continue;
      }
      if (being_deleted(*obj)) continue;
      if (auto r = release(client, resource, *obj, uid); !r) return base::error(r.error());
      continue;
    }
    // Orphan.
    if (owner_deleting || !matches || being_deleted(*obj)) continue;
    if (!adopt_ok) adopt_ok = can_adopt ? can_adopt() : base::Result<void>{};
    if (!*adopt_ok) return base::error(adopt_ok->error());
    auto r = adopt(client, resource, *obj, controller_ref(owner, owner_api_version, owner_kind));
    if (!r) {
      if (r.error().reason() == base::Reason::NotFound) continue;
      return base::error(r.error());
    }
    auto adopted = std::make_shared<json>(*obj);
    json& refs = (*adopted)["metadata"]["ownerReferences"];
    if (!refs.is_array()) refs = json::array();
    refs.push_back(controller_ref(owner, owner_api_version, owner_kind));
    claimed.push_back(std::move(adopted));
  }
  return claimed;
}

CanAdoptFn fresh_owner_check(client::Client& client, const client::ResourceRef& owner_resource, const json& owner) {
  return [&client, owner_resource, ns = meta_string(owner, "namespace"), name = meta_string(owner, "name"),
          uid = meta_string(owner, "uid")]() -> base::Result<void> {
    auto fresh = client.get(owner_resource, ns, name);
    if (!fresh) return base::error(fresh.error());
    if (meta_string(*fresh, "uid") != uid)
      return base::error(base::Reason::Conflict, "original " + name + " is gone: got uid " +
                                                      meta_string(*fresh, "uid") + ", wanted " + uid);
    if (being_deleted(*fresh))
      return base::error(base::Reason::Conflict, name + " has just been deleted at " +
                                                      (*fresh)["metadata"]["deletionTimestamp"].dump());
    return {};
  };
}

}  // namespace kite::controllers::history
