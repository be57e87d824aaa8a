// Certificate authorities and leaf certificates (see base/pki.h).
#include "base/pki.h"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "base/pki_openssl.h"

namespace kite::base {

using namespace pki_detail;

namespace {

// Certificates start an hour in the past so a node whose clock is a little behind the
// server's still accepts them.
constexpr long kBackdateSeconds = 3600;

Result<PkeyPtr> new_p256_key() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return error(openssl_status("generating P-256 key"));
  return key;
}

Result<void> set_random_serial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return error(openssl_status("RAND_bytes"));
  bytes[0] &= 0x7f;  // positive
  bytes[0] |= 0x01;  // and never zero
  BIGNUM* bn = BN_bin2bn(bytes, sizeof(bytes), nullptr);
  if (bn == nullptr) return error(openssl_status("serial number"));
  ASN1_INTEGER* serial = X509_get_serialNumber(cert);
  bool ok = BN_to_ASN1_INTEGER(bn, serial) != nullptr;
  BN_free(bn);
  if (!ok) return error(openssl_status("serial number"));
  return {};
}

Result<void> set_subject(X509* cert, const std::string& cn, const std::vector<std::string>& orgs) {
  X509_NAME* name = X509_get_subject_name(cert);
  for (const auto& o : orgs) {
    if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(o.data()),
                                   static_cast<int>(o.size()), -1, 0) != 1) {
      return error(openssl_status("subject O=" + o));
    }
  }
  if (!cn.empty() && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                                reinterpret_cast<const unsigned char*>(cn.data()),
                                                static_cast<int>(cn.size()), -1, 0) != 1) {
    return error(openssl_status("subject CN=" + cn));
  }
  return {};
}

Result<void> set_validity(X509* cert, std::chrono::hours validity) {
  long seconds =
      static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(validity).count());
  if (X509_gmtime_adj(X509_getm_notBefore(cert), -kBackdateSeconds) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert), seconds) == nullptr) {
    return error(openssl_status("validity period"));
  }
  return {};
}

Result<void> add_ext(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
  if (ext == nullptr) return error(openssl_status(std::string("extension ") + value));
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) return error(openssl_status(std::string("extension ") + value));
  return {};
}

Result<void> add_sans(X509* cert, const std::vector<std::string>& dns,
                      const std::vector<std::string>& ips) {
  if (dns.empty() && ips.empty()) return {};
  GeneralNamesPtr names(GENERAL_NAMES_new());
  if (!names) return error(openssl_status("GENERAL_NAMES_new"));
  for (const auto& d : dns) {
    if (d.empty()) return error(Reason::BadRequest, "empty DNS name in certificate request");
    GENERAL_NAME* gn = GENERAL_NAME_new();
    ASN1_IA5STRING* s = ASN1_IA5STRING_new();
    if (gn == nullptr || s == nullptr ||
        ASN1_STRING_set(s, d.data(), static_cast<int>(d.size())) != 1) {
      GENERAL_NAME_free(gn);
      ASN1_IA5STRING_free(s);
      return error(openssl_status("DNS SAN " + d));
    }
    GENERAL_NAME_set0_value(gn, GEN_DNS, s);
    sk_GENERAL_NAME_push(names.get(), gn);
  }
  for (const auto& ip : ips) {
    unsigned char buf[16];
    int len = 0;
    if (inet_pton(AF_INET, ip.c_str(), buf) == 1) {
      len = 4;
    } else if (inet_pton(AF_INET6, ip.c_str(), buf) == 1) {
      len = 16;
    } else {
      return error(Reason::BadRequest, "not an IP address: \"" + ip + "\"");
    }
    GENERAL_NAME* gn = GENERAL_NAME_new();
    ASN1_OCTET_STRING* s = ASN1_OCTET_STRING_new();
    if (gn == nullptr || s == nullptr || ASN1_OCTET_STRING_set(s, buf, len) != 1) {
      GENERAL_NAME_free(gn);
      ASN1_OCTET_STRING_free(s);
      return error(openssl_status("IP SAN " + ip));
    }
    GENERAL_NAME_set0_value(gn, GEN_IPADD, s);
    sk_GENERAL_NAME_push(names.get(), gn);
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return error(openssl_status("subjectAltName"));
  }
  return {};
}

Result<KeyPair> sign_and_encode(X509* cert, EVP_PKEY* signer, EVP_PKEY* key) {
  if (X509_sign(cert, signer, EVP_sha256()) == 0) return error(openssl_status("signing"));
  auto cert_pem = cert_to_pem(cert);
  if (!cert_pem) return std::unexpected(cert_pem.error());
  auto key_pem = key_to_pem(key);
  if (!key_pem) return std::unexpected(key_pem.error());
  return KeyPair{std::move(*cert_pem), std::move(*key_pem)};
}

#define PKI_TRY(expr)                                                      \
  do {                                                                     \
    auto pki_try_result_ = (expr);                                         \
    if (!pki_try_result_) return std::unexpected(pki_try_result_.error()); \
  } while (0)

}  // namespace

Result<KeyPair> generate_ca(const std::string& common_name, std::chrono::hours validity) {
  auto key = new_p256_key();
  if (!key) return std::unexpected(key.error());
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return error(openssl_status("X509_new"));
  }
  PKI_TRY(set_random_serial(cert.get()));
  PKI_TRY(set_subject(cert.get(), common_name, {}));
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) != 1 ||
      X509_set_pubkey(cert.get(), key->get()) != 1) {
    return error(openssl_status("CA issuer/public key"));
  }
  PKI_TRY(set_validity(cert.get(), validity));
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  PKI_TRY(add_ext(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE"));
  PKI_TRY(add_ext(cert.get(), &ctx, NID_key_usage,
                  "critical,digitalSignature,keyEncipherment,keyCertSign,cRLSign"));
  PKI_TRY(add_ext(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  return sign_and_encode(cert.get(), key->get(), key->get());
}

Result<KeyPair> issue_certificate(const KeyPair& ca, const CertRequest& req) {
  auto ca_cert = parse_cert_pem(ca.cert_pem);
  if (!ca_cert) return error(Reason::BadRequest, "CA certificate: " + ca_cert.error().message());
  auto ca_key = parse_key_pem(ca.key_pem);
  if (!ca_key) return error(Reason::BadRequest, "CA key: " + ca_key.error().message());
  if (req.common_name.empty())
    return error(Reason::BadRequest, "certificate request without a common name");

  auto key = new_p256_key();
  if (!key) return std::unexpected(key.error());
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return error(openssl_status("X509_new"));
  }
  PKI_TRY(set_random_serial(cert.get()));
  PKI_TRY(set_subject(cert.get(), req.common_name, req.organizations));
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert->get())) != 1 ||
      X509_set_pubkey(cert.get(), key->get()) != 1) {
    return error(openssl_status("issuer/public key"));
  }
  PKI_TRY(set_validity(cert.get(), req.validity));
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, ca_cert->get(), cert.get(), nullptr, nullptr, 0);
  PKI_TRY(add_ext(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE"));
  PKI_TRY(add_ext(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature,keyEncipherment"));
  if (req.server || req.client) {
    std::string eku;
    if (req.server) eku = "serverAuth";
    if (req.client) eku += eku.empty() ? "clientAuth" : ",clientAuth";
    PKI_TRY(add_ext(cert.get(), &ctx, NID_ext_key_usage, eku.c_str()));
  }
  PKI_TRY(add_ext(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));
  PKI_TRY(add_sans(cert.get(), req.dns_sans, req.ip_sans));
  return sign_and_encode(cert.get(), ca_key->get(), key->get());
}

Result<void> check_key_pair(const KeyPair& pair) {
  auto cert = parse_cert_pem(pair.cert_pem);
  if (!cert) return std::unexpected(cert.error());
  auto key = parse_key_pem(pair.key_pem);
  if (!key) return std::unexpected(key.error());
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    ERR_clear_error();
    return error(Reason::BadRequest, "private key does not match the certificate");
  }
  return {};
}

#undef PKI_TRY

}  // namespace kite::base
