// Controller ownership of objects, as Kubernetes' ControllerRefManager handles it, shared by
// the controllers that own pods and ControllerRevisions (StatefulSet, DaemonSet):
//
//   - controller_ref(): the ownerReference a controller puts on what it creates
//     (controller: true, blockOwnerDeletion: true);
//   - controller_of() / is_controlled_by(): the controlling ownerReference of an object;
//   - claim_objects(): of the candidate objects (same namespace), the ones the owner controls
//     after adopting orphans that match its selector and releasing owned ones that no longer
//     match. Adoption is skipped while the owner is being deleted, and only happens after
//     `can_adopt` confirms (with a fresh read) that the owner still exists with the same uid.
//     Adopt/release are whole-object updates with the object's resourceVersion (a Conflict
//     fails the claim; the caller's sync is retried).
//
// Pure helpers plus Client calls; safe from any thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/selector/label_selector.h"
#include "base/status.h"
#include "client/client.h"
#include "client/informer.h"

namespace kite::controllers::history {

using json = nlohmann::json;

json controller_ref(const json& owner, const std::string& api_version, const std::string& kind);
// The ownerReferences entry with controller: true, or nullptr.
const json* controller_of(const json& obj);
bool is_controlled_by(const json& obj, const std::string& owner_uid);
bool being_deleted(const json& obj);  // metadata.deletionTimestamp is set

// A copy of `obj` with apiVersion/kind filled in when missing (list items may lack them; Events
// need them for involvedObject).
json with_type_meta(const json& obj, const std::string& api_version, const std::string& kind);

// Small accessors for metadata strings ("" when absent).
std::string meta_string(const json& obj, const char* field);

// Checks once per claim that the owner may adopt (fresh GET, same uid, not being deleted).
using CanAdoptFn = std::function<base::Result<void>()>;

base::Result<std::vector<client::ObjectPtr>> claim_objects(client::Client& client, const client::ResourceRef& resource,
                                                           const json& owner, const std::string& owner_api_version,
                                                           const std::string& owner_kind,
                                                           const api::LabelSelector& selector,
                                                           const std::vector<client::ObjectPtr>& candidates,
                                                           const CanAdoptFn& can_adopt);

// The usual CanAdoptFn: GETs the owner and fails unless it has the same uid and no
// deletionTimestamp.
CanAdoptFn fresh_owner_check(client::Client& client, const client::ResourceRef& owner_resource, const json& owner);

}  // namespace kite::controllers::history
