#include "server/controllers/daemonset/daemonset_history.h"

#include <set>

#include "client/resource_ref.h"
#include "server/controllers/daemonset/daemon_pods.h"
#include "server/controllers/history/controller_revisions.h"
#include "server/controllers/history/owner_refs.h"
#include "server/controllers/history/revision_hash.h"

namespace kite::controllers::daemonset {

namespace {

using client::ObjectPtr;
using history::meta_string;

std::string hash_label(const json& obj) {
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object() || !m->contains("labels") || !(*m)["labels"].is_object()) return "";
  return (*m)["labels"].value(history::kRevisionHashLabel, "");
}

std::optional<int64_t> collision_count_of(const json& ds) {
  auto s = ds.find("status");
  if (s == ds.end() || !s->is_object() || !s->contains("collisionCount") || !(*s)["collisionCount"].is_number_integer())
    return std::nullopt;
  return (*s)["collisionCount"].get<int64_t>();
}

base::Result<json> snapshot(client::Client& client, const json& ds, int64_t revision) {
  const json patch = history::template_patch(ds);
  const json tmpl = ds.value("spec", json::object()).value("template", json::object());
  const std::string hash = history::template_hash(tmpl, collision_count_of(ds));
  const std::string name = history::revision_name(meta_string(ds, "name"), hash);
  json labels = tmpl.contains("metadata") && tmpl["metadata"].contains("labels") && tmpl["metadata"]["labels"].is_object()
                    ? tmpl["metadata"]["labels"]
                    : json::object();
  labels[history::kRevisionHashLabel] = hash;
  json cr = {{"apiVersion", "apps/v1"},
             {"kind", "ControllerRevision"},
             {"metadata",
              {{"name", name},
               {"namespace", meta_string(ds, "namespace")},
               {"labels", labels},
               {"ownerReferences", json::array({history::controller_ref(ds, "apps/v1", "DaemonSet")})}}},
             {"data", patch},
             {"revision", revision}};
  if (ds["metadata"].contains("annotations") && ds["metadata"]["annotations"].is_object())
    cr["metadata"]["annotations"] = ds["metadata"]["annotations"];
  const std::string ns = meta_string(ds, "namespace");
  auto created = client.create(client::resources::kControllerRevisions, ns, cr);
  if (created || created.error().reason() != base::Reason::AlreadyExists) return created;
  auto existing = client.get(client::resources::kControllerRevisions, ns, name);
  if (!existing) return existing;
  if (history::equal_revision(*existing, cr)) return existing;
  // A different template hashed to the same name: bump the collision count and retry later.
  auto fresh = client.get(client::resources::kDaemonSets, ns, meta_string(ds, "name"));
  if (!fresh) return fresh;
  if (collision_count_of(*fresh) != collision_count_of(ds))
    return base::error(base::Reason::Conflict, "found a stale collision count of DaemonSet " + meta_string(ds, "name") +
                                                   "; will retry until it is updated");
  json updated = *fresh;
  updated["status"]["collisionCount"] = collision_count_of(*fresh).value_or(0) + 1;
  if (auto u = client.update(client::resources::kDaemonSets, updated, "status"); !u) return base::error(u.error());
  return base::error(created.error());
}

}  // namespace

base::Result<DaemonSetHistory> construct_history(client::Client& client, const client::Informer& revisions,
                                                 const json& ds, const std::vector<ObjectPtr>& pods) {
  DaemonSetHistory out;
  const json patch = history::template_patch(ds);
  std::vector<ObjectPtr> current;
  for (const auto& r : history::controlled_revisions(revisions, ds)) {
    auto d = r->find("data");
    if (d != r->end() && *d == patch)
      current.push_back(r);
    else
      out.old.push_back(r);
  }
  const int64_t next = history::next_revision(out.old);
  if (current.empty()) {
    auto cr = snapshot(client, ds, next);
    if (!cr) return base::error(cr.error());
    out.current = *cr;
  } else {
    current = history::sorted_by_revision(current);
    const json keep = *current.back();
    const std::string keep_hash = hash_label(keep);
    // Duplicates: move their pods to the kept revision's hash, then delete them.
    for (size_t i = 0; i + 1 < current.size(); ++i) {
      const std::string dup_hash = hash_label(*current[i]);
      for (const auto& pod : pods) {
        if (hash_label(*pod) != dup_hash || dup_hash.empty()) continue;
        json updated = *pod;
        updated["metadata"]["labels"][history::kRevisionHashLabel] = keep_hash;
        if (auto u = client.update(client::resources::kPods, updated); !u && u.error().reason() != base::Reason::NotFound)
          return base::error(u.error());
      }
      if (auto d = history::delete_revision(client, *current[i]); !d) return base::error(d.error());
    }
    out.current = keep;
    if (history::revision_number(keep) < next) {
      auto u = history::update_revision_number(client, keep, next);
      if (!u) return base::error(u.error());
      out.current = *u;
    }
  }
  out.hash = hash_label(out.current);
  if (out.hash.empty())
    out.hash = history::template_hash(ds.value("spec", json::object()).value("template", json::object()),
                                      collision_count_of(ds));
  return out;
}

base::Result<void> cleanup_history(client::Client& client, const json& ds, std::vector<ObjectPtr> old,
                                   const std::vector<ObjectPtr>& pods) {
  int64_t to_kill = static_cast<int64_t>(old.size()) - revision_history_limit(ds);
  if (to_kill <= 0) return {};
  std::set<std::string> live;
  for (const auto& pod : pods) {
    if (auto h = hash_label(*pod); !h.empty()) live.insert(h);
  }
  old = history::sorted_by_revision(std::move(old));
  for (const auto& r : old) {
    if (to_kill <= 0) break;
    if (live.contains(hash_label(*r))) continue;
    if (auto d = history::delete_revision(client, *r); !d) return d;
    --to_kill;
  }
  return {};
}

}  // namespace kite::controllers::daemonset
