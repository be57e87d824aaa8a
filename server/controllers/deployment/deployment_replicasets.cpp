// DeploymentController: finding/creating the new ReplicaSet, syncing revisions, scaling one
// ReplicaSet, and writing the deployment's revision and status.
#include <algorithm>

#include "server/controllers/deployment/deployment_controller.h"
#include "server/controllers/deployment/deployment_util.h"
#include "server/controllers/podcontrol/object_fields.h"
#include "server/controllers/podcontrol/owner_refs.h"

namespace kite::controllers {

using namespace deployment;  // NOLINT: the helpers of this controller
using podcontrol::field;
using podcontrol::int_field;

namespace {

const podcontrol::OwnerKind kDeploymentKind{"apps/v1", "Deployment"};

// FindNewReplicaSet: the oldest ReplicaSet whose template equals the deployment's.
std::optional<json> find_new_replicaset(const json& d, std::vector<json> rs_list) {
  sort_by_creation(rs_list);
  const json& tmpl = field(d, {"spec", "template"});
  for (auto& rs : rs_list) {
    if (equal_ignore_hash(field(rs, {"spec", "template"}), tmpl)) return std::move(rs);
  }
  return std::nullopt;
}

json& status_of(json& d) {
  if (!d.contains("status") || !d["status"].is_object()) d["status"] = json::object();
  return d["status"];
}

}  // namespace

base::Result<DeploymentController::ReplicaSets> DeploymentController::replicasets_and_sync_revision(
    json& d, std::vector<json>& rs_list, bool create_if_missing) {
  auto existing = find_new_replicaset(d, rs_list);
  std::vector<json> old_rs;
  for (const auto& rs : rs_list) {
    if (existing && podcontrol::uid_of(rs) == podcontrol::uid_of(*existing)) continue;
    old_rs.push_back(rs);
  }
  auto new_rs = new_replicaset(d, rs_list, old_rs, create_if_missing);
  if (!new_rs) return base::error(new_rs.error());
  if (*new_rs) {
    auto same = std::find_if(rs_list.begin(), rs_list.end(), [&](const json& rs) {
      return podcontrol::uid_of(rs) == podcontrol::uid_of(**new_rs);
    });
    if (same != rs_list.end()) {
      *same = **new_rs;
    } else {
      rs_list.push_back(**new_rs);
    }
  }
  return ReplicaSets{std::move(*new_rs), std::move(old_rs)};
}

base::Result<std::optional<json>> DeploymentController::new_replicaset(json& d, const std::vector<json>& rs_list,
                                                                       const std::vector<json>& old_rs,
                                                                       bool create_if_missing) {
  auto existing = find_new_replicaset(d, rs_list);
  const int64_t new_revision = max_revision(old_rs) + 1;
  if (existing) {
    json rs = *existing;
    const bool annotations_updated = set_new_rs_annotations(d, rs, new_revision, true);
    const int64_t min_ready = int_field(d, {"spec", "minReadySeconds"});
    const bool min_ready_update = int_field(rs, {"spec", "minReadySeconds"}) != min_ready;
    if (annotations_updated || min_ready_update) {
      rs["spec"]["minReadySeconds"] = min_ready;
      auto updated = ctx_.client.update(client::resources::kReplicaSets, rs);
      if (!updated) return base::error(updated.error());
      return std::optional<json>(std::move(*updated));
    }
    const bool revision_changed =
        set_deployment_revision(d, podcontrol::string_field(rs, {"metadata", "annotations", kRevisionAnnotation}));
    bool status_changed = false;
    if (has_progress_deadline(d) && !get_condition(field(d, {"status"}), "Progressing")) {
      set_condition(status_of(d), new_condition("Progressing", "True", kReasonFoundNewRS,
                                                "Found new replica set \"" + podcontrol::name_of(rs) + "\"",
                                                ctx_.clock.now()));
      status_changed = true;
    }
    if (revision_changed) {
      if (auto r = write_deployment_revision(d); !r) return base::error(r.error());
    }
    if (status_changed) {
      if (auto r = write_deployment_status(d); !r) return base::error(r.error());
    }
    return std::optional<json>(std::move(rs));
  }
  if (!create_if_missing) return std::optional<json>();
  auto created = create_new_replicaset(d, old_rs, new_revision);
  if (!created) return base::error(created.error());
  return std::optional<json>(std::move(*created));
}

base::Result<json> DeploymentController::create_new_replicaset(json& d, const std::vector<json>& old_rs,
                                                               int64_t new_revision) {
  const std::string ns = podcontrol::namespace_of(d);
  const json& tmpl = field(d, {"spec", "template"});
  const json& collision = field(d, {"status", "collisionCount"});
  const std::string hash =
      compute_hash(tmpl, collision.is_number_integer() ? std::optional<int64_t>(collision.get<int64_t>()) : std::nullopt);

  json new_tmpl = tmpl;
  new_tmpl["metadata"]["labels"][kHashLabel] = hash;
  json selector = field(d, {"spec", "selector"});
  selector["matchLabels"][kHashLabel] = hash;
  const std::string name = podcontrol::name_of(d) + "-" + hash;
  json rs = {{"apiVersion", "apps/v1"},
             {"kind", "ReplicaSet"},
             {"metadata",
              {{"name", name},
               {"namespace", ns},
               {"labels", new_tmpl["metadata"]["labels"]},
               {"ownerReferences", json::array({podcontrol::controller_ref(d, kDeploymentKind)})}}},
             {"spec",
              {{"replicas", 0},
               {"minReadySeconds", int_field(d, {"spec", "minReadySeconds"})},
               {"selector", selector},
               {"template", new_tmpl}}}};
  std::vector<json> all = old_rs;
  all.push_back(rs);
  auto replicas = new_rs_new_replicas(d, all, rs);
  if (!replicas) return base::error(replicas.error());
  rs["spec"]["replicas"] = *replicas;
  set_new_rs_annotations(d, rs, new_revision, false);

  bool already_exists = false;
  auto created = ctx_.client.create(client::resources::kReplicaSets, ns, rs);
  if (!created && created.error().reason() == base::Reason::AlreadyExists) {
    already_exists = true;
    auto current = ctx_.client.get(client::resources::kReplicaSets, ns, name);
    if (!current) return base::error(current.error());
    if (podcontrol::is_controlled_by(*current, podcontrol::uid_of(d)) &&
        equal_ignore_hash(field(*current, {"spec", "template"}), tmpl)) {
      created = std::move(*current);  // ours, from an earlier sync the cache has not shown yet
    } else {
      // A different template hashed to the same name: bump collisionCount and retry.
      status_of(d)["collisionCount"] = (collision.is_number_integer() ? collision.get<int64_t>() : 0) + 1;
      (void)write_deployment_status(d);
      return base::error(created.error());
    }
  } else if (!created) {
    const std::string msg = "Failed to create new replica set \"" + name + "\": " + created.error().message();
    if (has_progress_deadline(d)) {
      set_condition(status_of(d), new_condition("Progressing", "False", kReasonFailedRSCreate, msg, ctx_.clock.now()));
      (void)write_deployment_status(d);
    }
    recorder_.event(d, "Warning", kReasonFailedRSCreate, msg);
    return base::error(created.error());
  }
  if (!already_exists && *replicas > 0) {
    recorder_.event(d, "Normal", "ScalingReplicaSet",
                    "Scaled up replica set " + name + " from 0 to " + std::to_string(*replicas));
  }
  const bool revision_changed = set_deployment_revision(d, std::to_string(new_revision));
  bool status_changed = false;
  if (!already_exists && has_progress_deadline(d)) {
    set_condition(status_of(d), new_condition("Progressing", "True", kReasonNewRSCreated,
                                              "Created new replica set \"" + name + "\"", ctx_.clock.now()));
    status_changed = true;
  }
  if (revision_changed) {
    if (auto r = write_deployment_revision(d); !r) return base::error(r.error());
  }
  if (status_changed) {
    if (auto r = write_deployment_status(d); !r) return base::error(r.error());
  }
  return std::move(*created);
}

base::Result<std::pair<bool, json>> DeploymentController::scale_replicaset(const json& rs, int64_t new_scale,
                                                                           const json& d) {
  if (replicas_of(rs) == new_scale) return std::pair<bool, json>{false, rs};
  return scale_replicaset(rs, new_scale, d, replicas_of(rs) < new_scale ? "up" : "down");
}

base::Result<std::pair<bool, json>> DeploymentController::scale_replicaset(const json& rs, int64_t new_scale,
                                                                           const json& d,
                                                                           const std::string& operation) {
  const bool size_update = replicas_of(rs) != new_scale;
  const int64_t desired = replicas_of(d), max_replicas = replicas_of(d) + max_surge(d);
  if (!size_update && !replicas_annotations_need_update(rs, desired, max_replicas)) {
    return std::pair<bool, json>{false, rs};
  }
  const int64_t old_scale = replicas_of(rs);
  json copy = rs;
  copy["spec"]["replicas"] = new_scale;
  set_replicas_annotations(copy, desired, max_replicas);
  auto updated = ctx_.client.update(client::resources::kReplicaSets, copy);
  if (!updated) return base::error(updated.error());
  if (size_update) {
    recorder_.event(d, "Normal", "ScalingReplicaSet",
                    "Scaled " + operation + " replica set " + podcontrol::name_of(rs) + " from " +
                        std::to_string(old_scale) + " to " + std::to_string(new_scale));
  }
  return std::pair<bool, json>{size_update, std::move(*updated)};
}

// The status subresource write; `d` takes the stored object's metadata (resourceVersion) so
// the next write of this sync does not conflict with our own.
base::Result<void> DeploymentController::write_deployment_status(json& d) {
  auto updated = ctx_.client.update(client::resources::kDeployments, d, "status");
  if (!updated) return base::error(updated.error());
  d["metadata"] = (*updated)["metadata"];
  return {};
}

// The revision annotation lives in metadata, which the status subresource does not write: a
// merge patch of just that annotation (no spec change, so no new generation).
base::Result<void> DeploymentController::write_deployment_revision(json& d) {
  json patch = {{"metadata",
                 {{"annotations",
                   {{kRevisionAnnotation, podcontrol::string_field(d, {"metadata", "annotations", kRevisionAnnotation})}}}}}};
  auto patched = ctx_.client.patch(client::resources::kDeployments, podcontrol::namespace_of(d),
                                   podcontrol::name_of(d), client::PatchType::kMerge, patch);
  if (!patched) return base::error(patched.error());
  d["metadata"] = (*patched)["metadata"];
  return {};
}

}  // namespace kite::controllers
