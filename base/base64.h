// Standard base64 (RFC 4648, with padding) and the URL-safe variant. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kite::base {

std::string base64_encode(std::string_view data, bool url_safe = false);
// nullopt when `text` is not valid base64 (either alphabet; padding optional).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace kite::base
