// Go-style duration strings, as Kubernetes and k3s flags take them: "300ms", "40s", "1m30s",
// "1.5h", "2h45m". Units: ns, us (or µs), ms, s, m, h. A bare "0" is zero. Pure; thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "base/status.h"

namespace kite::base {

// BadRequest with a one-line reason for anything else (empty, missing unit, negative, junk).
Result<std::chrono::nanoseconds> parse_duration(const std::string& text);

}  // namespace kite::base
