// Schema-driven decoding of one protobuf message (Kubernetes' generated.proto messages) into
// the JSON object a Kubernetes API server would write for it. Field numbers come from the
// schema (Schema::proto_field / proto_embedded_in, the `pb=` attribute of the .kschema
// files); wrapper types are recognised by definition name (wrapper_types.h). Pure; thread-safe.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "api/schema.h"
#include "base/status.h"

namespace kite::api {

// Decodes `message` (the bytes of one message, no envelope) as an object of `schema`.
// Unknown field numbers are skipped. BadRequest for malformed bytes or a wire type that does
// not fit the field's schema.
base::Result<nlohmann::json> decode_protobuf_message(std::string_view message,
                                                     const Schema& schema);

// True when `schema` describes an object whose properties carry protobuf field numbers (all
// built-in kinds; not custom resources).
bool has_protobuf_fields(const Schema& schema);

}  // namespace kite::api
