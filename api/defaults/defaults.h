// Defaulting and pruning of API objects.
//
// apply_defaults fills in what Kubernetes fills in before an object is validated and stored:
// every `default_value` of the kind's schema, then the per-kind defaults users see in
// `kubectl get -o yaml` (api/defaults/*_defaults.cpp: pods and pod templates, workloads,
// services, storage, namespaces, ...). It never overwrites a value the client set.
// prune_unknown_fields drops fields the schema does not know, as the API server does for custom
// resources. Both are pure, idempotent and thread-safe.
#pragma once

#include "api/resource.h"

namespace kite::api {

void apply_defaults(const ResourceInfo& info, json& obj);

// Schema `default_value`s only (what a CRD's structural schema defaults).
void apply_schema_defaults(const Schema& schema, json& obj);

// Removes the fields `schema` does not know, recursively. Keeps everything under
// x-kubernetes-preserve-unknown-fields (and Type::Any), and apiVersion/kind/metadata at the
// root and in embedded resources.
void prune_unknown_fields(const Schema& schema, json& obj);

}  // namespace kite::api
