// Join tokens in k3s's format: "K10" + sha256-hex(server CA certificate PEM bytes) + "::" +
// username + ":" + password.
//
// The hash lets a joining agent pin the server's CA before it sends credentials: it fetches the
// CA bundle unverified, hashes the exact bytes, and compares with the token (verify_ca_hash).
// A "short" token is the bare password; it parses to username "server" and an empty hash
// (no pinning). The token file <data-dir>/server/token holds the full token, mode 0600.
// All functions are stateless and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace kite::bootstrap {

using base::Result;

struct JoinToken {
  std::string ca_hash;   // 64 lowercase hex chars, or "" for a short token
  std::string username;  // "server" by default
  std::string password;
};

inline constexpr std::string_view kTokenPrefix = "K10";
inline constexpr std::string_view kDefaultTokenUser = "server";

// Accepts "K10<hash>::user:pass" and a bare secret (surrounding whitespace is ignored).
// BadRequest with a message naming the problem for: empty text, "K10..." without "::", a hash
// that is not 64 hex chars, credentials without ':', an empty username or password.
Result<JoinToken> parse_token(std::string_view text);
// "K10<hash>::<user>:<password>" (also when the hash is empty: "K10::server:pw").
std::string format_token(const JoinToken& t);

// Reads `token_file` if it exists (and checks it matches `explicit_token` if that is not empty),
// otherwise creates it from `explicit_token` or a random secret, with the CA hash of
// `ca_cert_pem`. An existing file whose hash differs from the current CA's is rewritten with
// the current hash (the password stays). Mode 0600. Returns the full token.
Result<JoinToken> ensure_server_token(const std::string& token_file,
                                      const std::string& explicit_token,
                                      const std::string& ca_cert_pem);

// Ok if `presented` carries the same username and password as `expected` (constant-time
// comparison of the password) and, when it has a hash, the same CA hash. Unauthorized otherwise.
Result<void> check_token(const JoinToken& presented, const JoinToken& expected);

// For agents: Ok if the token has no hash (short token) or its hash is sha256 of
// `ca_bundle_pem` (the exact bytes served at /cacerts). Unauthorized otherwise.
Result<void> verify_ca_hash(const JoinToken& token, std::string_view ca_bundle_pem);

}  // namespace kite::bootstrap
