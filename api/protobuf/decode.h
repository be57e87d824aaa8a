// Decoding of Kubernetes protobuf request bodies (Content-Type
// application/vnd.kubernetes.protobuf, which kubectl's typed clients send for built-in kinds)
// into the JSON object a Kubernetes API server would see after decoding and re-encoding it.
//
// A body is the 4-byte magic "k8s\0" followed by a runtime.Unknown message {typeMeta{apiVersion=1,
// kind=2}=1, raw=2, contentEncoding=3, contentType=4}; `raw` is the object's own message,
// decoded with the kind's schema (field numbers from api/schemas/, see api/protobuf/README.md).
// Errors: BadRequest for a malformed body, a missing magic or a kind kite does not serve;
// UnsupportedMediaType for a contentEncoding other than "" or a kind without a protobuf form
// (custom resources). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/resource.h"
#include "base/status.h"

namespace kite::api {

inline constexpr std::string_view kKubernetesProtobufContentType =
    "application/vnd.kubernetes.protobuf";

// The object of a protobuf body, its kind found through the envelope's typeMeta: in
// `registry` (served kinds), else among the built-in kinds that are only request bodies
// (policy/v1 Eviction, autoscaling/v1 Scale, v1 Binding) and meta/v1 DeleteOptions. The
// result has "apiVersion" and "kind" from the envelope.
base::Result<nlohmann::json> decode_kubernetes_protobuf(std::string_view body,
                                                        const Registry& registry);

// The object of a protobuf body whose type the caller knows, by definition name (e.g.
// "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions", "io.k8s.api.policy.v1.Eviction").
// "apiVersion"/"kind" from the envelope are set when the definition has those properties.
base::Result<nlohmann::json> decode_kubernetes_protobuf_as(std::string_view body,
                                                           const std::string& definition_name);

// The envelope of a protobuf body, for callers that need the type before choosing a schema.
struct KubernetesProtobufEnvelope {
  std::string api_version;  // typeMeta.apiVersion, e.g. "apps/v1"
  std::string kind;         // typeMeta.kind, e.g. "Deployment"
  std::string_view raw;     // the object's message; points into the body
  std::string content_encoding;
  std::string content_type;
};
// BadRequest for a missing magic or a malformed envelope; UnsupportedMediaType for a
// contentEncoding other than "".
base::Result<KubernetesProtobufEnvelope> parse_kubernetes_protobuf_envelope(
    std::string_view body);

}  // namespace kite::api
