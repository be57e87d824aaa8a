// Identifiers and timestamps as Kubernetes formats them. Thread-safe.
#pragma once

#include <chrono>
#include <string>

namespace kite::base {

// A random RFC 4122 version-4 UUID ("8c3b...-...").
std::string new_uuid();
// `n` random characters from Kubernetes' generateName alphabet (no vowels, no confusables).
std::string random_name_suffix(size_t n = 5);
// RFC 3339 UTC with second precision: "2026-11-22T04:07:05Z" (metav1.Time).
std::string rfc3339(std::chrono::system_clock::time_point t);
// RFC 3339 UTC with microseconds: "2026-11-22T04:07:05.123456Z" (metav1.MicroTime).
std::string rfc3339_micro(std::chrono::system_clock::time_point t);
// Parses both forms above (and a numeric offset); false when malformed.
bool parse_rfc3339(const std::string& s, std::chrono::system_clock::time_point* out);

}  // namespace kite::base
