// PATCH with JSON patch, merge patch or strategic merge patch, on a resource or its status.
#include "api/patch/json_patch.h"
#include "api/patch/merge_patch.h"
#include "api/patch/strategic_merge_patch.h"
#include "server/apiserver/write_pipeline.h"

namespace kite::apiserver {

namespace {

enum class PatchType { Json, Merge, Strategic };

Result<PatchType> patch_type(const Scope& s) {
  std::string ct = s.req.header("content-type");
  ct = ct.substr(0, ct.find(';'));
  if (ct == "application/json-patch+json") return PatchType::Json;
  if (ct == "application/merge-patch+json") return PatchType::Merge;
  if (ct == "application/strategic-merge-patch+json") {
    if (s.resource->custom) {
      return base::error(Reason::UnsupportedMediaType,
                         "strategic merge patch is not supported for custom resources; use "
                         "application/merge-patch+json or application/json-patch+json");
    }
    return PatchType::Strategic;
  }
  if (ct == "application/apply-patch+yaml") {
    return base::error(Reason::UnsupportedMediaType,
                       "server-side apply (application/apply-patch+yaml) is not implemented by kite yet; use "
                       "client-side kubectl apply (without --server-side)");
  }
  return base::error(Reason::UnsupportedMediaType,
                     "the body of the request was in an unknown format - accepted media types include: "
                     "application/json-patch+json, application/merge-patch+json, "
                     "application/strategic-merge-patch+json");
}

}  // namespace

Response rest_patch(ServerState& st, Scope& s) {
  bool status = s.info.subresource == "status";
  if (!s.info.subresource.empty() && !status) return status_response(method_not_supported(s));
  auto type = patch_type(s);
  if (!type) return status_response(type.error());
  auto w = write_options(s.req);
  if (!w) return status_response(w.error());
  if (s.req.body.empty()) return status_response(bad_request("the patch body is empty"));
  json patch = json::parse(s.req.body, nullptr, false);
  if (patch.is_discarded()) return status_response(bad_request("the patch body is not valid JSON"));
  if (*type != PatchType::Json && !patch.is_object()) {
    return status_response(bad_request("a merge patch must be a JSON object"));
  }
  if (*type == PatchType::Json && !patch.is_array()) {
    return status_response(bad_request("a JSON patch must be an array of operations"));
  }
  if (w->mode != api::FieldValidation::Ignore) {
    auto dups = api::find_duplicate_fields(s.req.body);
    if (!dups) return status_response(dups.error());
    if (!dups->empty()) {
      if (w->mode == api::FieldValidation::Strict) {
        return status_response(bad_request("strict decoding error: " + dups->front()));
      }
      w->warnings.insert(w->warnings.end(), dups->begin(), dups->end());
    }
  }
  const api::Schema* schema = s.resource->schema.get();
  UpdatePlan plan;
  plan.status_subresource = status;
  plan.mutate = [type = *type, patch = std::move(patch), schema, &s](const json& current) -> Result<json> {
    Result<json> out;
    switch (type) {
      case PatchType::Json: out = api::apply_json_patch(current, patch); break;
      case PatchType::Merge: out = api::apply_merge_patch(current, patch); break;
      case PatchType::Strategic: out = api::apply_strategic_merge_patch(current, patch, schema); break;
    }
    if (!out) return out;
    // The patch may not change what the object is.
    if (out->value("kind", "") != s.resource->kind || out->value("apiVersion", "") != s.resource->api_version()) {
      return base::error(bad_request("a patch may not change apiVersion or kind"));
    }
    // A resourceVersion in the patch is a precondition; the current one is not.
    bool patch_has_rv = false;
    if (type != PatchType::Json) {
      patch_has_rv = patch.contains("metadata") && patch["metadata"].is_object() &&
                     patch["metadata"].contains("resourceVersion");
    } else {
      for (const auto& op : patch) {
        if (op.is_object() && op.value("path", "") == "/metadata/resourceVersion") patch_has_rv = true;
      }
    }
    if (!patch_has_rv) (*out)["metadata"].erase("resourceVersion");
    return out;
  };
  return run_update(st, s, plan, *w);
}

}  // namespace kite::apiserver
