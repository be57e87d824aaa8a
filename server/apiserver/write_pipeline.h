// The steps every write shares: decoding the body into an object of the scope's kind,
// defaulting/validation/pruning, warnings, and the read-mutate-write loop that update, patch
// and the subresources run against the store with optimistic concurrency.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "api/validation/validate.h"
#include "server/apiserver/rest.h"

namespace kite::apiserver {

struct WriteOptions {
  api::FieldValidation mode = api::FieldValidation::Warn;
  bool dry_run = false;
  std::vector<std::string> warnings;
};

// Reads fieldValidation and dryRun from the query.
Result<WriteOptions> write_options(const Request& req);

// Decodes the body as an object of the scope's kind: apiVersion/kind filled in when absent,
// BadRequest when they name another kind; duplicate fields per the validation mode.
Result<json> decode_object(const Scope& s, WriteOptions& w);

// Defaults, validates (collecting warnings) and prunes unknown fields of `obj`.
Result<void> default_and_validate(const Scope& s, json& obj, WriteOptions& w);

// Adds the warnings as Warning headers (299) the way Kubernetes sends them.
Response with_warnings(Response r, const std::vector<std::string>& warnings);

struct UpdatePlan {
  bool status_subresource = false;
  // Computes the desired object from the current stored one (with its resourceVersion).
  // A non-empty metadata.resourceVersion in the result is a precondition.
  std::function<Result<json>(const json& current)> mutate;
};

// Runs read -> mutate -> admit/prepare/validate -> write, retrying on conflicts that the
// client did not ask to see. Returns the response (200 with the object, or a Status).
Response run_update(ServerState& st, Scope& s, const UpdatePlan& plan, WriteOptions& w);

// Keeps the registry in step with a CustomResourceDefinition that was written or deleted.
void sync_crd_registration(ServerState& st, const json& crd, bool deleted);

}  // namespace kite::apiserver
