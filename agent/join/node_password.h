// The agent's node password: a random secret kept in <data-dir>/agent/node-password (0600)
// that proves to the server that this machine is the one that first registered its node name
// (server side: server/bootstrap/node_identity.h). Stateless; not safe against two processes
// creating the file at the same moment (one agent owns a data dir).
#pragma once

#include <string>

#include "base/status.h"

namespace kite::agent {

// Returns the password in `path`, creating the file (and its parent directory, 0700) with a
// fresh random secret when it does not exist. An empty or unreadable file is an error.
base::Result<std::string> ensure_node_password(const std::string& path);

}  // namespace kite::agent
