// Go's %q of a string, for messages that must read exactly as kubelet's (hook failures,
// downward API annotations): double quotes, with \" \\ \n \t \r escaped. Pure; thread-safe.
#pragma once

#include <string>

namespace kite::base {

std::string go_quote(const std::string& s);

}  // namespace kite::base
