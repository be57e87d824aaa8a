// The agent's node password file (see agent/join/node_password.h).
#include "agent/join/node_password.h"

#include "base/pki.h"

namespace kite::agent {

base::Result<std::string> ensure_node_password(const std::string& path) {
  auto existing = base::read_file(path);
  if (existing) {
    std::string pw = *existing;
    while (!pw.empty() && (pw.back() == '\n' || pw.back() == '\r' || pw.back() == ' ')) pw.pop_back();
    if (pw.empty()) return base::error(base::Reason::InternalError, path + " is empty; delete it to make a new node password");
    return pw;
  }
  if (existing.error().reason() != base::Reason::NotFound) return std::unexpected(existing.error());
  auto pw = base::random_hex(16);
  if (!pw) return pw;
  if (auto w = base::write_file_atomic(path, *pw + "\n", 0600); !w) return std::unexpected(w.error());
  return pw;
}

}  // namespace kite::agent
