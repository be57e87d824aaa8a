#include "base/jwt.h"

#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <memory>
#include <vector>

#include "base/base64.h"
#include "base/pki_openssl.h"

namespace kite::base {

using namespace pki_detail;

namespace {

constexpr size_t kCoordinate = 32;  // P-256

std::string b64url(std::string_view data) {
  std::string out = base64_encode(data, true);
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct SigFree {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};

Result<std::string> public_der(EVP_PKEY* key) {
  int len = i2d_PUBKEY(key, nullptr);
  if (len <= 0) return error(openssl_status("encoding the public key"));
  std::string der(static_cast<size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_PUBKEY(key, &p) != len) return error(openssl_status("encoding the public key"));
  return der;
}

Result<std::string> key_id(EVP_PKEY* key) {
  auto der = public_der(key);
  if (!der) return std::unexpected(der.error());
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(der->data()), der->size(), digest);
  return b64url(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

}  // namespace

Result<std::string> generate_signing_key() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return error(openssl_status("generating a P-256 key"));
  return key_to_pem(key.get());
}

Result<std::string> jwt_key_id(const std::string& key_pem) {
  auto key = parse_key_pem(key_pem);
  if (!key) return std::unexpected(key.error());
  return key_id(key->get());
}

Result<std::string> jwt_sign(const std::string& key_pem, const nlohmann::json& claims) {
  auto key = parse_key_pem(key_pem);
  if (!key) return std::unexpected(key.error());
  auto kid = key_id(key->get());
  if (!kid) return std::unexpected(kid.error());
  nlohmann::json header = {{"alg", "ES256"}, {"kid", *kid}};
  std::string input = b64url(header.dump()) + "." + b64url(claims.dump());

  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  size_t der_len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key->get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &der_len, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size()) != 1) {
    return error(openssl_status("signing a token"));
  }
  std::vector<unsigned char> der(der_len);
  if (EVP_DigestSign(ctx.get(), der.data(), &der_len, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size()) != 1) {
    return error(openssl_status("signing a token"));
  }
  const unsigned char* p = der.data();
  std::unique_ptr<ECDSA_SIG, SigFree> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  if (!sig) return error(openssl_status("decoding the signature"));
  std::string raw(2 * kCoordinate, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, kCoordinate) != static_cast<int>(kCoordinate) ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + kCoordinate, kCoordinate) != static_cast<int>(kCoordinate)) {
    return error(openssl_status("encoding the signature"));
  }
  return input + "." + b64url(raw);
}

Result<nlohmann::json> jwt_verify(const std::string& key_pem, const std::string& token) {
  auto dot1 = token.find('.');
  auto dot2 = dot1 == std::string::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string::npos || token.find('.', dot2 + 1) != std::string::npos) {
    return error(Reason::BadRequest, "not a JWT: expected three dot-separated parts");
  }
  auto header_text = base64_decode(std::string_view(token).substr(0, dot1));
  auto claims_text = base64_decode(std::string_view(token).substr(dot1 + 1, dot2 - dot1 - 1));
  auto raw = base64_decode(std::string_view(token).substr(dot2 + 1));
  if (!header_text || !claims_text || !raw) return error(Reason::BadRequest, "not a JWT: bad base64url");
  auto header = nlohmann::json::parse(*header_text, nullptr, false);
  auto claims = nlohmann::json::parse(*claims_text, nullptr, false);
  if (!header.is_object() || !claims.is_object()) return error(Reason::BadRequest, "not a JWT: bad JSON");
  if (header.value("alg", "") != "ES256") return error(Reason::Unauthorized, "token algorithm is not ES256");
  if (raw->size() != 2 * kCoordinate) return error(Reason::Unauthorized, "token signature has the wrong size");

  auto key = parse_key_pem(key_pem);
  if (!key) return std::unexpected(key.error());
  auto kid = key_id(key->get());
  if (!kid) return std::unexpected(kid.error());
  if (header.contains("kid") && header["kid"] != *kid) return error(Reason::Unauthorized, "token key id is unknown");

  std::unique_ptr<ECDSA_SIG, SigFree> sig(ECDSA_SIG_new());
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw->data());
  BIGNUM* r = BN_bin2bn(bytes, kCoordinate, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + kCoordinate, kCoordinate, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return error(openssl_status("decoding the signature"));
  }
  int der_len = i2d_ECDSA_SIG(sig.get(), nullptr);
  std::vector<unsigned char> der(static_cast<size_t>(std::max(der_len, 0)));
  unsigned char* p = der.data();
  if (der_len <= 0 || i2d_ECDSA_SIG(sig.get(), &p) != der_len) return error(openssl_status("encoding the signature"));

  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key->get()) != 1) {
    return error(openssl_status("verifying a token"));
  }
  int ok = EVP_DigestVerify(ctx.get(), der.data(), der.size(), reinterpret_cast<const unsigned char*>(token.data()),
                            dot2);
  if (ok != 1) {
    (void)openssl_error();  // clear the queue
    return error(Reason::Unauthorized, "token signature is invalid");
  }
  return claims;
}

}  // namespace kite::base
