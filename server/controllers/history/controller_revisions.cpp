#include "server/controllers/history/controller_revisions.h"

#include <algorithm>

#include "client/resource_ref.h"
#include "server/controllers/history/owner_refs.h"
#include "server/controllers/history/revision_hash.h"

namespace kite::controllers::history {

json template_patch(const json& owner) {
  json tmpl = json::object();
  if (auto s = owner.find("spec"); s != owner.end() && s->is_object()) {
    if (auto t = s->find("template"); t != s->end() && t->is_object()) tmpl = *t;
  }
  tmpl["$patch"] = "replace";
  return json{{"spec", {{"template", tmpl}}}};
}

json template_of_revision(const json& revision) {
  json tmpl = json::object();
  auto d = revision.find("data");
  if (d != revision.end() && d->is_object()) {
    if (auto s = d->find("spec"); s != d->end() && s->is_object()) {
      if (auto t = s->find("template"); t != s->end() && t->is_object()) tmpl = *t;
    }
  }
  tmpl.erase("$patch");
  return tmpl;
}

int64_t revision_number(const json& revision) {
  auto r = revision.find("revision");
  return r != revision.end() && r->is_number_integer() ? r->get<int64_t>() : 0;
}

std::vector<client::ObjectPtr> sorted_by_revision(std::vector<client::ObjectPtr> revisions) {
  std::stable_sort(revisions.begin(), revisions.end(), [](const client::ObjectPtr& a, const client::ObjectPtr& b) {
    int64_t ra = revision_number(*a), rb = revision_number(*b);
    if (ra != rb) return ra < rb;
    std::string ca = meta_string(*a, "creationTimestamp"), cb = meta_string(*b, "creationTimestamp");
    if (ca != cb) return ca < cb;
    return meta_string(*a, "name") < meta_string(*b, "name");
  });
  return revisions;
}

int64_t next_revision(const std::vector<client::ObjectPtr>& revisions) {
  int64_t max = 0;
  for (const auto& r : revisions) max = std::max(max, revision_number(*r));
  return max + 1;
}

bool equal_revision(const json& a, const json& b) {
  auto da = a.find("data");
  auto db = b.find("data");
  if (da == a.end() || db == b.end()) return false;
  return *da == *db;
}

std::vector<client::ObjectPtr> controlled_revisions(const client::Informer& revisions, const json& owner) {
  std::vector<client::ObjectPtr> out;
  const std::string uid = meta_string(owner, "uid");
  const std::string ns = meta_string(owner, "namespace");
  for (auto& r : revisions.by_index(client::kIndexOwnerUid, uid)) {
    if (is_controlled_by(*r, uid) && meta_string(*r, "namespace") == ns) out.push_back(r);
  }
  return out;
}

json new_revision(const json& owner, const std::string& owner_api_version, const std::string& owner_kind,
                  const json& template_labels, const json& data, int64_t revision, int64_t collision_count) {
  std::string hash = revision_data_hash(data, collision_count);
  json labels = template_labels.is_object() ? template_labels : json::object();
  labels[kRevisionHashLabel] = hash;
  return json{{"apiVersion", "apps/v1"},
              {"kind", "ControllerRevision"},
              {"metadata",
               {{"name", revision_name(meta_string(owner, "name"), hash)},
                {"namespace", meta_string(owner, "namespace")},
                {"labels", labels},
                {"ownerReferences", json::array({controller_ref(owner, owner_api_version, owner_kind)})}}},
              {"data", data},
              {"revision", revision}};
}

base::Result<json> create_revision(client::Client& client, const json& owner, json revision,
                                   int64_t* collision_count) {
  const std::string ns = meta_string(owner, "namespace");
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string hash = revision_data_hash(revision["data"], *collision_count);
    revision["metadata"]["name"] = revision_name(meta_string(owner, "name"), hash);
    revision["metadata"]["labels"][kRevisionHashLabel] = hash;
    auto created = client.create(client::resources::kControllerRevisions, ns, revision);
    if (created) return created;
    if (created.error().reason() != base::Reason::AlreadyExists) return created;
    auto existing = client.get(client::resources::kControllerRevisions, ns, meta_string(revision, "name"));
    if (!existing) return existing;
    if (equal_revision(*existing, revision)) return existing;
    ++*collision_count;
  }
  return base::error(base::Reason::InternalError, "too many ControllerRevision name collisions for " +
                                                      meta_string(owner, "name"));
}

base::Result<json> update_revision_number(client::Client& client, const json& revision, int64_t number) {
  json current = revision;
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (revision_number(current) == number) return current;
    current["revision"] = number;
    auto updated = client.update(client::resources::kControllerRevisions, current);
    if (updated) return updated;
    if (updated.error().reason() != base::Reason::Conflict) return updated;
    auto fresh = client.get(client::resources::kControllerRevisions, meta_string(revision, "namespace"),
                            meta_string(revision, "name"));
    if (!fresh) return fresh;
    current = *fresh;
  }
  return base::error(base::Reason::Conflict, "could not update revision of " + meta_string(revision, "name"));
}

base::Result<void> delete_revision(client::Client& client, const json& revision) {
  auto r = client.remove(client::resources::kControllerRevisions, meta_string(revision, "namespace"),
                         meta_string(revision, "name"));
  if (!r && r.error().reason() != base::Reason::NotFound) return base::error(r.error());
  return {};
}

}  // namespace kite::controllers::history
