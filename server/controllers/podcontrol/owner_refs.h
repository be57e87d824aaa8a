// Controller ownership (ownerReferences with controller: true), as Kubernetes' workload
// controllers use it, and ControllerRefManager's claim: which candidate objects a controller
// owns after adopting matching orphans and releasing owned objects its selector no longer
// matches.
//
// claim() follows ControllerRefManager.ClaimObject exactly:
//   - owned by another controller: ignored;
//   - owned by us and matching: claimed (even while we are being deleted);
//   - owned by us, not matching: released (unless we are being deleted); NotFound ignored;
//   - orphan, matching, not being deleted, same namespace, owner not being deleted: adopted
//     after `can_adopt` (called at most once per claim) confirms with a fresh read that the
//     owner still exists with the same uid; NotFound ignored.
// Adopt and release are whole-object updates carrying the cached resourceVersion, so a stale
// cache yields Conflict, the claim fails and the caller's sync is retried.
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

namespace kite::controllers::podcontrol {

using json = nlohmann::json;

// What a controller is, for the ownerReferences it writes: "apps/v1" + "ReplicaSet".
struct OwnerKind {
  std::string api_version;
  std::string kind;
};

// {apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true}.
json controller_ref(const json& owner, const OwnerKind& kind);
// The ownerReferences entry with controller: true, or nullptr.
const json* controller_of(const json& obj);
// True when `obj`'s controller reference has this uid.
bool is_controlled_by(const json& obj, const std::string& owner_uid);

// Resolves a controller reference against an informer cache of owners of `kind`: the cached
// owner named by the reference in `ns` when kind and uid match, else null.
client::ObjectPtr resolve_controller_ref(const client::Informer& owners, const std::string& ns, const json* ref,
                                         const std::string& kind);

// Checks (once per claim) that the owner may adopt; an error aborts the claim.
using CanAdoptFn = std::function<base::Result<void>()>;
// GETs the owner afresh and fails unless it has the same uid and no deletionTimestamp.
CanAdoptFn fresh_owner_check(client::Client& client, const client::ResourceRef& owner_resource, const json& owner);

struct ClaimSpec {
  client::Client* client = nullptr;
  client::ResourceRef resource;  // what the candidates are (pods, replicasets)
  const json* owner = nullptr;
  OwnerKind owner_kind;
  const api::LabelSelector* selector = nullptr;
  CanAdoptFn can_adopt;
};

// The candidates the owner controls after adoption/release (adopted ones in their updated
// form). Stops at the first failed adopt/release and returns its error.
base::Result<std::vector<client::ObjectPtr>> claim(const ClaimSpec& spec,
                                                   const std::vector<client::ObjectPtr>& candidates);

}  // namespace kite::controllers::podcontrol
