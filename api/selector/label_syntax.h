// Label key and value syntax checks, as Kubernetes applies them to label selectors.
//
// A label key is an optional DNS-1123 subdomain prefix (at most 253 characters) and '/',
// followed by a name of at most 63 characters made of alphanumerics, '-', '_' and '.',
// starting and ending with an alphanumeric. A label value is empty or follows the name rule.
// Each function returns the list of problems (empty when valid), worded as Kubernetes words
// them. Pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kite::api {

std::vector<std::string> label_key_errors(std::string_view key);
std::vector<std::string> label_value_errors(std::string_view value);

// Go's %q for plain strings: the value in double quotes with '"', '\\' and control
// characters escaped. Used to quote bad values inside error messages.
std::string quote_value(std::string_view s);

}  // namespace kite::api
