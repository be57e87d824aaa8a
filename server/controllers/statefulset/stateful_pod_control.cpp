#include "server/controllers/statefulset/stateful_pod_control.h"

#include "client/resource_ref.h"
#include "server/controllers/history/owner_refs.h"
#include "server/controllers/statefulset/stateful_pod.h"

namespace kite::controllers::statefulset {

namespace {

using history::meta_string;

std::string policy_value(const json& set, const char* which) {
  auto s = set.find("spec");
  if (s == set.end() || !s->is_object()) return "Retain";
  auto p = s->find("persistentVolumeClaimRetentionPolicy");
  if (p == s->end() || !p->is_object()) return "Retain";
  return p->value(which, "Retain");
}

json plain_ref(const json& owner, const std::string& api_version, const std::string& kind) {
  return json{{"apiVersion", api_version},
              {"kind", kind},
              {"name", meta_string(owner, "name")},
              {"uid", meta_string(owner, "uid")}};
}

json owner_refs_of(const json& obj) {
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) return json::array();
  auto r = m->find("ownerReferences");
  return r != m->end() && r->is_array() ? *r : json::array();
}

}  // namespace

void StatefulPodControl::event(const json& set, const std::string& type, const std::string& reason,
                               const std::string& message) {
  recorder_.event(history::with_type_meta(set, "apps/v1", "StatefulSet"), type, reason, message);
}

json desired_claim_owner_refs(const json& set, const json& pod, const json& current_refs) {
  const bool scaled_delete = policy_value(set, "whenScaled") == "Delete";
  const bool deleted_delete = policy_value(set, "whenDeleted") == "Delete";
  const bool scaled_down = !in_ordinal_range(set, ordinal_of(pod));
  const std::string set_uid = meta_string(set, "uid");
  const std::string pod_uid = meta_string(pod, "uid");
  json refs = json::array();
  for (const auto& r : current_refs) {
    std::string uid = r.value("uid", "");
    if (uid != set_uid && (pod_uid.empty() || uid != pod_uid)) refs.push_back(r);
  }
  if (deleted_delete && !(scaled_delete && scaled_down)) refs.push_back(plain_ref(set, "apps/v1", "StatefulSet"));
  if (scaled_delete && scaled_down && !pod_uid.empty()) refs.push_back(plain_ref(pod, "v1", "Pod"));
  return refs;
}

base::Result<void> StatefulPodControl::create_missing_claims(const json& set, const json& pod) {
  for (auto& [tname, claim] : claims_for(set, ordinal_of(pod))) {
    std::string ns = meta_string(claim, "namespace");
    std::string name = meta_string(claim, "name");
    auto existing = claims_.get(ns + "/" + name);
    if (existing) {
      if (history::being_deleted(*existing))
        return base::error(base::Reason::Conflict, "pvc " + name + " is being deleted");
      continue;
    }
    json refs = desired_claim_owner_refs(set, pod, json::array());
    if (!refs.empty()) claim["metadata"]["ownerReferences"] = refs;
    auto created = client_.create(client::resources::kPersistentVolumeClaims, ns, claim);
    if (!created && created.error().reason() != base::Reason::AlreadyExists) {
      event(set, "Warning", "FailedCreate",
                      "create Claim " + name + " for Pod " + meta_string(pod, "name") + " in StatefulSet " +
                          meta_string(set, "name") + " failed error: " + created.error().message());
      return base::error(base::Status(created.error().reason(),
                                      "failed to create PVC " + name + ": " + created.error().message()));
    }
    if (created)
      event(set, "Normal", "SuccessfulCreate",
                      "create Claim " + name + " Pod " + meta_string(pod, "name") + " in StatefulSet " +
                          meta_string(set, "name") + " success");
  }
  return {};
}

base::Result<void> StatefulPodControl::create_pod(const json& set, const json& pod) {
  if (auto r = create_missing_claims(set, pod); !r) return r;
  auto created = client_.create(client::resources::kPods, meta_string(set, "namespace"), pod);
  const std::string what = "Pod " + meta_string(pod, "name") + " in StatefulSet " + meta_string(set, "name");
  if (!created) {
    if (created.error().reason() == base::Reason::AlreadyExists) return base::error(created.error());
    event(set, "Warning", "FailedCreate", "create " + what + " failed error: " + created.error().message());
    return base::error(created.error());
  }
  event(set, "Normal", "SuccessfulCreate", "create " + what + " successful");
  return {};
}

base::Result<void> StatefulPodControl::delete_pod(const json& set, const json& pod) {
  auto r = client_.remove(client::resources::kPods, meta_string(pod, "namespace"), meta_string(pod, "name"));
  const std::string what = "Pod " + meta_string(pod, "name") + " in StatefulSet " + meta_string(set, "name");
  if (!r) {
    if (r.error().reason() == base::Reason::NotFound) return {};
    event(set, "Warning", "FailedDelete", "delete " + what + " failed error: " + r.error().message());
    return base::error(r.error());
  }
  event(set, "Normal", "SuccessfulDelete", "delete " + what + " successful");
  return {};
}

bool StatefulPodControl::claims_match_retention_policy(const json& set, const json& pod) const {
  for (const auto& [tname, claim] : claims_for(set, ordinal_of(pod))) {
    auto existing = claims_.get(meta_string(claim, "namespace") + "/" + meta_string(claim, "name"));
    if (!existing) continue;
    json current = owner_refs_of(*existing);
    if (desired_claim_owner_refs(set, pod, current) != current) return false;
  }
  return true;
}

base::Result<void> StatefulPodControl::update_claims_for_retention_policy(const json& set, const json& pod) {
  for (const auto& [tname, claim] : claims_for(set, ordinal_of(pod))) {
    auto existing = claims_.get(meta_string(claim, "namespace") + "/" + meta_string(claim, "name"));
    if (!existing) continue;
    json current = owner_refs_of(*existing);
    json desired = desired_claim_owner_refs(set, pod, current);
    if (desired == current) continue;
    json updated = *existing;
    if (desired.empty())
      updated["metadata"].erase("ownerReferences");
    else
      updated["metadata"]["ownerReferences"] = desired;
    auto r = client_.update(client::resources::kPersistentVolumeClaims, updated);
    if (!r && r.error().reason() != base::Reason::NotFound) return base::error(r.error());
  }
  return {};
}

base::Result<void> StatefulPodControl::update_pod(const json& set, const json& pod_in) {
  json pod = pod_in;
  bool consistent = true;
  if (!identity_matches(set, pod)) {
    update_identity(set, pod);
    consistent = false;
  }
  if (!storage_matches(set, pod)) {
    update_storage(set, pod);
    consistent = false;
    if (auto r = create_missing_claims(set, pod); !r) return r;
  }
  if (!claims_match_retention_policy(set, pod)) {
    if (auto r = update_claims_for_retention_policy(set, pod); !r) return r;
  }
  if (consistent) return {};
  auto updated = client_.update(client::resources::kPods, pod);
  const std::string what = "Pod " + meta_string(pod, "name") + " in StatefulSet " + meta_string(set, "name");
  if (!updated) {
    event(set, "Warning", "FailedUpdate", "update " + what + " failed error: " + updated.error().message());
    return base::error(updated.error());
  }
  event(set, "Normal", "SuccessfulUpdate", "update " + what + " successful");
  return {};
}

}  // namespace kite::controllers::statefulset
