// Admission: the checks and mutations Kubernetes' built-in admission plugins apply to writes
// that a kubectl user relies on: NamespaceLifecycle (the namespace must exist and not be
// terminating), Secret stringData folded into data, a Pod's service account defaulted, its
// default tolerations and its kube-api-access token volume added.
#pragma once

#include "server/apiserver/rest.h"

namespace kite::apiserver {

// For creates of namespaced objects: NotFound when the namespace does not exist, Forbidden
// when it is being deleted.
Result<void> admit_namespace(ServerState& st, const Scope& s, const std::string& ns);

// Mutations applied on create and update before defaulting and validation. A pod's
// ServiceAccount is read from the watch cache (its automountServiceAccountToken).
Result<void> admit_mutations(ServerState& st, const Scope& s, json& obj, bool create);

}  // namespace kite::apiserver
