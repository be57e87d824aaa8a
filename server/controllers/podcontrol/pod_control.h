// PodControl: creates pods from a controller's pod template and deletes them, recording the
// owner's events as Kubernetes' RealPodControl does:
//   create -> Normal SuccessfulCreate "Created pod: <name>" / Warning FailedCreate
//             "Error creating: <message>" (no event when the namespace is terminating);
//   delete -> Normal SuccessfulDelete "Deleted pod: <name>" / Warning FailedDelete
//             "Error deleting: <message>" (NotFound is returned without an event).
// A pod from a template carries the template's labels, annotations, finalizers and spec,
// generateName "<owner>-" (the server appends 5 random characters) and the owner's
// controller reference. A template without labels is refused (as upstream: "unable to create
// pods, no labels").
//
// slow_start_batch() runs `count` calls in batches of 1, 2, 4, ... and stops after the first
// batch with a failure (Kubernetes' slow start, so a quota error costs one call, not N).
//
// Thread-safe (the Client and EventRecorder are).
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "client/client.h"
#include "client/event_recorder.h"
#include "server/controllers/podcontrol/owner_refs.h"

namespace kite::controllers::podcontrol {

using json = nlohmann::json;

// The pod a controller creates from `pod_template` (a PodTemplateSpec).
json pod_from_template(const json& pod_template, const json& owner, const json& controller_ref);
// `obj` with apiVersion and kind set (informer objects may lack them), for event recording.
json with_kind(const json& obj, const OwnerKind& kind);
// True when `status` says the namespace is being terminated (cause NamespaceTerminating).
bool is_namespace_terminating(const base::Status& status);

class PodControl {
 public:
  PodControl(client::Client& client, client::EventRecorder& recorder) : client_(client), recorder_(recorder) {}

  // `owner` should carry apiVersion/kind (see with_kind) so its events name it.
  base::Result<json> create_pod(const std::string& ns, const json& pod_template, const json& owner,
                                const json& controller_ref);
  base::Result<void> delete_pod(const std::string& ns, const std::string& name, const json& owner);

 private:
  client::Client& client_;
  client::EventRecorder& recorder_;
};

struct SlowStartResult {
  int successes = 0;
  base::Status first_error;  // ok when every attempted call succeeded
};
SlowStartResult slow_start_batch(int count, int initial_batch_size, const std::function<base::Result<void>()>& fn);

}  // namespace kite::controllers::podcontrol
