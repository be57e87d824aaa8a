// The Kubernetes types whose protobuf message differs from their JSON form, recognised by
// definition name (Schema::ref_name): metav1.Time and MicroTime ({seconds=1, nanos=2} ->
// RFC 3339 string), metav1.Duration ({duration=1} nanoseconds -> Go duration string),
// intstr.IntOrString ({type=1, intVal=2, strVal=3} -> number or string), resource.Quantity
// ({string=1} -> string), runtime.RawExtension and metav1.FieldsV1 ({raw=1} -> the embedded
// JSON value). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace kite::api {

inline constexpr std::string_view kTimeDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
inline constexpr std::string_view kMicroTimeDefinition =
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime";
inline constexpr std::string_view kDurationDefinition =
    "io.k8s.apimachinery.pkg.apis.meta.v1.Duration";
inline constexpr std::string_view kIntOrStringDefinition =
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
inline constexpr std::string_view kQuantityDefinition =
    "io.k8s.apimachinery.pkg.api.resource.Quantity";
inline constexpr std::string_view kRawExtensionDefinition =
    "io.k8s.apimachinery.pkg.runtime.RawExtension";
inline constexpr std::string_view kFieldsV1Definition =
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1";

// True for the definitions above.
bool is_protobuf_wrapper(std::string_view definition_name);

// Decodes one wrapper message to its JSON value. nullopt for a value Go would write as null
// (a zero Time or MicroTime, an empty RawExtension); `omit_zero` also turns a zero
// IntOrString (0 or "") into nullopt. BadRequest for a malformed message.
base::Result<std::optional<nlohmann::json>> decode_protobuf_wrapper(
    std::string_view definition_name, std::string_view message, bool omit_zero);

// Encodes a wrapper's JSON value as its message (the inverse of decode_protobuf_wrapper).
// BadRequest when the value does not have the wrapper's JSON form.
base::Result<std::string> encode_protobuf_wrapper(std::string_view definition_name,
                                                  const nlohmann::json& value);

// "2026-11-22T04:07:05Z" (metav1.Time) or, with micros, "2026-11-22T04:07:05.123456Z".
std::string format_rfc3339_utc(int64_t seconds, int32_t nanos, bool micros);
// Go's time.Duration.String(): "1h2m3.5s", "150ms", "0s".
std::string format_go_duration(int64_t nanoseconds);
// Parses an RFC 3339 time ("2026-11-22T04:07:05Z", with an optional fraction and a Z or
// +hh:mm offset) into seconds since the epoch and nanoseconds; false when malformed.
bool parse_rfc3339(std::string_view text, int64_t& seconds, int32_t& nanos);
// Parses a Go duration string ("1h2m3.5s", "-150ms", "0") into nanoseconds.
bool parse_go_duration(std::string_view text, int64_t& nanoseconds);

}  // namespace kite::api
