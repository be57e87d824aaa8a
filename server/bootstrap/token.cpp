// Join token parsing, formatting and the server's token file (see server/bootstrap/token.h).
#include "server/bootstrap/token.h"

#include <openssl/crypto.h>

#include "base/log.h"
#include "base/pki.h"

namespace kite::bootstrap {

namespace {

using base::Reason;

std::string_view trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

bool is_hex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool equal_secret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

Result<JoinToken> parse_token(std::string_view text) {
  std::string_view t = trim(text);
  if (t.empty()) return base::error(Reason::BadRequest, "token is empty");
  JoinToken out;
  if (!t.starts_with(kTokenPrefix)) {
    out.username = std::string(kDefaultTokenUser);
    out.password = std::string(t);
    return out;
  }
  size_t sep = t.find("::");
  if (sep == std::string_view::npos) {
    return base::error(Reason::BadRequest,
                       "malformed token: starts with K10 but has no \"::\" before the credentials");
  }
  std::string_view hash = t.substr(kTokenPrefix.size(), sep - kTokenPrefix.size());
  std::string_view creds = t.substr(sep + 2);
  if (!hash.empty() && !is_hex64(hash)) {
    return base::error(Reason::BadRequest,
                       "malformed token: the CA hash after K10 must be 64 hex characters (got " +
                           std::to_string(hash.size()) + ")");
  }
  size_t colon = creds.find(':');
  if (colon == std::string_view::npos) {
    return base::error(Reason::BadRequest,
                       "malformed token: credentials after \"::\" must be <username>:<password>");
  }
  out.ca_hash = lower(hash);
  out.username = std::string(creds.substr(0, colon));
  out.password = std::string(creds.substr(colon + 1));
  if (out.username.empty())
    return base::error(Reason::BadRequest, "malformed token: empty username");
  if (out.password.empty())
    return base::error(Reason::BadRequest, "malformed token: empty password");
  return out;
}

std::string format_token(const JoinToken& t) {
  return std::string(kTokenPrefix) + t.ca_hash + "::" + t.username + ":" + t.password;
}

Result<void> check_token(const JoinToken& presented, const JoinToken& expected) {
  bool ok = presented.username == expected.username &&
            equal_secret(presented.password, expected.password) &&
            (presented.ca_hash.empty() || presented.ca_hash == expected.ca_hash);
  if (!ok) return base::error(Reason::Unauthorized, "invalid token");
  return {};
}

Result<void> verify_ca_hash(const JoinToken& token, std::string_view ca_bundle_pem) {
  if (token.ca_hash.empty()) return {};
  auto hash = base::sha256_hex(ca_bundle_pem);
  if (!hash) return std::unexpected(hash.error());
  if (*hash != token.ca_hash) {
    return base::error(Reason::Unauthorized,
                       "the server's CA does not match the token's CA hash (expected " +
                           token.ca_hash + ", got " + *hash + ")");
  }
  return {};
}

Result<JoinToken> ensure_server_token(const std::string& token_file,
                                      const std::string& explicit_token,
                                      const std::string& ca_cert_pem) {
  auto ca_hash = base::sha256_hex(ca_cert_pem);
  if (!ca_hash) return std::unexpected(ca_hash.error());

  std::optional<JoinToken> wanted;
  if (!trim(explicit_token).empty()) {
    auto parsed = parse_token(explicit_token);
    if (!parsed) {
      return base::error(Reason::BadRequest, "--token: " + parsed.error().message());
    }
    if (!parsed->ca_hash.empty() && parsed->ca_hash != *ca_hash) {
      return base::error(Reason::BadRequest, "--token carries CA hash " + parsed->ca_hash +
                                                 " but this server's CA hashes to " + *ca_hash);
    }
    wanted = std::move(*parsed);
  }

  auto existing = base::read_file(token_file);
  if (existing) {
    auto parsed = parse_token(*existing);
    if (!parsed) {
      return base::error(Reason::InternalError, token_file + ": " + parsed.error().message());
    }
    if (wanted && (wanted->username != parsed->username ||
                   !equal_secret(wanted->password, parsed->password))) {
      return base::error(Reason::BadRequest,
                         "--token does not match the token this server was started with (" +
                             token_file + "); use the original token");
    }
    if (parsed->ca_hash == *ca_hash) return std::move(*parsed);
    KITE_LOG(warn, "bootstrap") << token_file << ": CA hash changed; rewriting the token";
    parsed->ca_hash = *ca_hash;
    if (auto w = base::write_file_atomic(token_file, format_token(*parsed) + "\n", 0600); !w) {
      return std::unexpected(w.error());
    }
    return std::move(*parsed);
  }
  if (existing.error().reason() != Reason::NotFound) return std::unexpected(existing.error());

  JoinToken token;
  if (wanted) {
    token = std::move(*wanted);
  } else {
    auto secret = base::random_hex(16);
    if (!secret) return std::unexpected(secret.error());
    token.username = std::string(kDefaultTokenUser);
    token.password = std::move(*secret);
  }
  token.ca_hash = *ca_hash;
  if (auto w = base::write_file_atomic(token_file, format_token(token) + "\n", 0600); !w) {
    return std::unexpected(w.error());
  }
  return token;
}

}  // namespace kite::bootstrap
