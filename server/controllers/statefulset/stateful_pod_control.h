// StatefulPodControl: the writes the StatefulSet controller makes for one set's pods and
// claims, with the Events kube-controller-manager records for them:
//
//   - create_pod(): creates the pod's missing PVCs (an existing claim being deleted is an
//     error), then the pod; events "SuccessfulCreate"/"FailedCreate" on the set;
//   - update_pod(): restores identity labels and claim volumes, creates missing PVCs and
//     brings the claims' ownerReferences in line with persistentVolumeClaimRetentionPolicy;
//   - delete_pod(): deletes the pod; events "SuccessfulDelete"/"FailedDelete";
//   - retention policy: claims of a set with whenDeleted=Delete are owned by the set, claims of
//     a scaled-down pod with whenScaled=Delete by that pod (so the garbage collector removes
//     them); with the default Retain/Retain a claim has neither reference and outlives both.
//
// Claims are looked up in the shared PVC informer. Thread-safe (no state of its own).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "client/client.h"
#include "client/event_recorder.h"
#include "client/informer.h"

namespace kite::controllers::statefulset {

using json = nlohmann::json;

class StatefulPodControl {
 public:
  StatefulPodControl(client::Client& client, const client::Informer& claims, client::EventRecorder& recorder)
      : client_(client), claims_(claims), recorder_(recorder) {}

  base::Result<void> create_pod(const json& set, const json& pod);
  base::Result<void> update_pod(const json& set, const json& pod);
  base::Result<void> delete_pod(const json& set, const json& pod);
  base::Result<void> create_missing_claims(const json& set, const json& pod);
  // True when every existing claim of the pod has the ownerReferences the policy asks for.
  bool claims_match_retention_policy(const json& set, const json& pod) const;
  base::Result<void> update_claims_for_retention_policy(const json& set, const json& pod);

 private:
  void event(const json& set, const std::string& type, const std::string& reason, const std::string& message);

  client::Client& client_;
  const client::Informer& claims_;
  client::EventRecorder& recorder_;
};

// The ownerReferences a claim should carry for `set`/`pod` under the set's retention policy,
// given the claim's current references (references to other owners are kept).
json desired_claim_owner_refs(const json& set, const json& pod, const json& current_refs);

}  // namespace kite::controllers::statefulset
