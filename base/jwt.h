// JSON Web Tokens signed with ES256 (ECDSA P-256 + SHA-256, RFC 7515/7518), as kite's service
// account tokens are. The key is a PEM private key from base/pki.h (P-256). Signatures are the
// JOSE form: r || s, 32 bytes each; every part is base64url without padding.
//
// jwt_verify checks the header (alg ES256, kid when given) and the signature only; the caller
// checks the claims (exp, nbf, aud, ...). Errors: BadRequest for a malformed token,
// Unauthorized for a bad signature or header, InternalError for OpenSSL failures.
// Pure functions; thread-safe.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace kite::base {

// A fresh P-256 private key (PKCS#8 PEM).
Result<std::string> generate_signing_key();
// The key id kite puts in headers: base64url(SHA-256 of the DER public key).
Result<std::string> jwt_key_id(const std::string& key_pem);
Result<std::string> jwt_sign(const std::string& key_pem, const nlohmann::json& claims);
// The claims of `token` if `key_pem` signed it.
Result<nlohmann::json> jwt_verify(const std::string& key_pem, const std::string& token);

}  // namespace kite::base
