// Name rules Kubernetes applies to object names, label keys/values, config keys and port
// names. Each function returns the problems found, worded as Kubernetes words them (empty =
// valid). Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kite::api::validation {

std::vector<std::string> dns1123_label_errors(std::string_view s);
std::vector<std::string> dns1123_subdomain_errors(std::string_view s);
// Names usable as one path segment ("path" name rule): not "." or "..", no '/' or '%'.
std::vector<std::string> path_segment_errors(std::string_view s);
// Label and annotation keys: [prefix/]name.
std::vector<std::string> qualified_name_errors(std::string_view s);
std::vector<std::string> label_value_errors(std::string_view s);
// ConfigMap and Secret keys.
std::vector<std::string> config_key_errors(std::string_view s);
// IANA service names (container port names, service port names used as targetPort).
std::vector<std::string> port_name_errors(std::string_view s);

// The errors of a metadata.name under a ResourceInfo::name_rule ("label", "subdomain",
// "path"). With `prefix` (generateName) a trailing '-' is allowed.
std::vector<std::string> name_errors(const std::string& rule, std::string_view s, bool prefix);

}  // namespace kite::api::validation
