// Encoding of JSON objects of built-in kinds as Kubernetes protobuf bodies (the inverse of
// decode.h): "k8s\0" + runtime.Unknown{typeMeta from the object's apiVersion/kind, raw = the
// object's message}. Fields are written in field-number order; map entries in key order;
// repeated scalars unpacked, as gogo-protobuf writes them. Only fields present in the JSON are
// written (gogo also writes zero non-pointer fields; decoders treat both alike).
// Pure functions; thread-safe.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "api/schema.h"
#include "base/status.h"

namespace kite::api {

// BadRequest when a value does not fit its schema (e.g. a string where an integer belongs);
// UnsupportedMediaType for a schema without protobuf field numbers (custom resources).
base::Result<std::string> encode_kubernetes_protobuf(const nlohmann::json& obj,
                                                     const Schema& schema);

// The object's message alone, without the envelope.
base::Result<std::string> encode_protobuf_message(const nlohmann::json& obj, const Schema& schema);

}  // namespace kite::api
