#include "server/controllers/podcontrol/owner_refs.h"

#include <optional>

#include "server/controllers/podcontrol/object_fields.h"

namespace kite::controllers::podcontrol {

json controller_ref(const json& owner, const OwnerKind& kind) {
  return json{{"apiVersion", kind.api_version}, {"kind", kind.kind},   {"name", name_of(owner)},
              {"uid", uid_of(owner)},           {"controller", true}, {"blockOwnerDeletion", true}};
}

const json* controller_of(const json& obj) {
  const json& refs = field(obj, {"metadata", "ownerReferences"});
  if (!refs.is_array()) return nullptr;
  for (const auto& r : refs) {
    if (r.is_object() && r.value("controller", false)) return &r;
  }
  return nullptr;
}

bool is_controlled_by(const json& obj, const std::string& owner_uid) {
  const json* ref = controller_of(obj);
  return ref && ref->value("uid", "") == owner_uid;
}

client::ObjectPtr resolve_controller_ref(const client::Informer& owners, const std::string& ns, const json* ref,
                                         const std::string& kind) {
  if (!ref || ref->value("kind", "") != kind) return nullptr;
  auto owner = owners.get(ns.empty() ? ref->value("name", "") : ns + "/" + ref->value("name", ""));
  if (!owner || uid_of(*owner) != ref->value("uid", "")) return nullptr;
  return owner;
}

CanAdoptFn fresh_owner_check(client::Client& client, const client::ResourceRef& owner_resource, const json& owner) {
  std::string ns = namespace_of(owner), name = name_of(owner), uid = uid_of(owner);
  return [&client, owner_resource, ns, name, uid]() -> base::Result<void> {
    auto fresh = client.get(owner_resource, ns, name);
    if (!fresh) return base::error(fresh.error());
    if (uid_of(*fresh) != uid) {
      return base::error(base::Reason::Conflict, "original " + owner_resource.resource + " " + ns + "/" + name +
                                                     " is gone: got uid " + uid_of(*fresh) + ", wanted " + uid);
    }
    if (has_deletion_timestamp(*fresh)) {
      return base::error(base::Reason::Conflict,
                         owner_resource.resource + " " + ns + "/" + name + " has just been deleted");
    }
    return {};
  };
}

namespace {

base::Result<json> write_owner_refs(const ClaimSpec& spec, const json& obj, json refs) {
  json updated = obj;
  if (refs.empty()) {
    updated["metadata"].erase("ownerReferences");
  } else {
    updated["metadata"]["ownerReferences"] = std::move(refs);
  }
  return spec.client->update(spec.resource, updated);
}

base::Result<json> adopt(const ClaimSpec& spec, const json& obj) {
  json refs = field(obj, {"metadata", "ownerReferences"});
  if (!refs.is_array()) refs = json::array();
  refs.push_back(controller_ref(*spec.owner, spec.owner_kind));
  return write_owner_refs(spec, obj, std::move(refs));
}

base::Result<json> release(const ClaimSpec& spec, const json& obj) {
  json refs = json::array();
  for (const auto& r : field(obj, {"metadata", "ownerReferences"})) {
    if (r.value("uid", "") != uid_of(*spec.owner)) refs.push_back(r);
  }
  return write_owner_refs(spec, obj, std::move(refs));
}

}  // namespace

base::Result<std::vector<client::ObjectPtr>> claim(const ClaimSpec& spec,
                                                   const std::vector<client::ObjectPtr>& candidates) {
  std::vector<client::ObjectPtr> claimed;
  const std::string owner_uid = uid_of(*spec.owner);
  const std::string owner_ns = namespace_of(*spec.owner);
  const bool owner_deleting = has_deletion_timestamp(*spec.owner);
  std::optional<base::Result<void>> adopt_check;  // computed once, lazily
  for (const auto& obj : candidates) {
    const bool matches = spec.selector->matches(labels_of(*obj));
    if (const json* ref = controller_of(*obj)) {
      if (ref->value("uid", "") != owner_uid) continue;  // someone else's
      if (matches) {
        claimed.push_back(obj);
        continue;
      }
      if (owner_deleting) continue;
      auto released = release(spec, *obj);
      if (!released && released.error().reason() != base::Reason::NotFound) return base::error(released.error());
      continue;
    }
    // An orphan.
    if (owner_deleting || !matches || has_deletion_timestamp(*obj)) continue;
    if (!owner_ns.empty() && owner_ns != namespace_of(*obj)) continue;
    if (!adopt_check) adopt_check = spec.can_adopt ? spec.can_adopt() : base::Result<void>{};
    if (!*adopt_check) {
      return base::error(base::Status(adopt_check->error().reason(),
                                      "can't adopt " + spec.resource.resource + " " + namespace_of(*obj) + "/" +
                                          name_of(*obj) + ": " + adopt_check->error().message()));
    }
    auto adopted = adopt(spec, *obj);
    if (!adopted) {
      if (adopted.error().reason() == base::Reason::NotFound) continue;
      return base::error(adopted.error());
    }
    claimed.push_back(std::make_shared<const json>(std::move(*adopted)));
  }
  return claimed;
}

}  // namespace kite::controllers::podcontrol
