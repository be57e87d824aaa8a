// The OpenAPI documents kite serves, built from the kinds' schemas:
//   /openapi/v3                  -> openapi_v3_root
//   /openapi/v3/api/v1, /openapi/v3/apis/<g>/<v> -> openapi_v3_group_version
//   /openapi/v2 (JSON)           -> openapi_v2_json
//   /openapi/v2 (protobuf, Accept application/com.github.proto-openapi.spec.v2@v1.0+protobuf)
//                                -> openapi_v2_protobuf (gnostic's openapi.v2.Document)
// Top-level kinds carry x-kubernetes-group-version-kind, operations carry it too (kubectl
// explain finds the kind through the paths), and every PATCH/PUT/POST operation lists the
// fieldValidation query parameter, which makes kubectl send fieldValidation=Strict.
// Each function also has an overload over an explicit resource list (tests, and callers that
// already hold a snapshot). Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "api/resource.h"

namespace kite::api {

json openapi_v3_root(const Registry& registry);
json openapi_v3_root(const std::vector<ResourceInfoPtr>& resources);

// An empty document with no paths when the group-version serves nothing.
json openapi_v3_group_version(const Registry& registry, const std::string& group,
                              const std::string& version);
json openapi_v3_group_version(const std::vector<ResourceInfoPtr>& resources,
                              const std::string& group, const std::string& version);

json openapi_v2_json(const Registry& registry);
json openapi_v2_json(const std::vector<ResourceInfoPtr>& resources);

std::string openapi_v2_protobuf(const Registry& registry);
std::string openapi_v2_protobuf(const std::vector<ResourceInfoPtr>& resources);
// Encodes a Swagger 2.0 JSON document (as openapi_v2_json returns) as openapi.v2.Document.
std::string encode_openapi_v2_document(const json& swagger);

// The key of a group-version in the /openapi/v3 index: "api/v1" or "apis/apps/v1".
std::string openapi_v3_gv_key(const std::string& group, const std::string& version);
// 64-bit FNV-1a of bytes, 16 upper-case hex digits (the ?hash= of serverRelativeURL).
std::string openapi_hash(std::string_view bytes);

}  // namespace kite::api
