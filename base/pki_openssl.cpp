// PEM conversions and OpenSSL error text for base/pki*.cpp.
#include "base/pki_openssl.h"

#include <openssl/err.h>
#include <openssl/pem.h>

namespace kite::base::pki_detail {

std::string openssl_error() {
  unsigned long code = 0;
  unsigned long last = 0;
  while ((code = ERR_get_error()) != 0) last = code;
  if (last == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(last, buf, sizeof(buf));
  return buf;
}

Status openssl_status(const std::string& what) {
  return Status(Reason::InternalError, what + ": " + openssl_error());
}

namespace {

BioPtr memory_bio(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

Result<std::string> drain(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  if (len < 0 || data == nullptr) return error(openssl_status("reading memory BIO"));
  return std::string(data, static_cast<size_t>(len));
}

}  // namespace

Result<X509Ptr> parse_cert_pem(const std::string& pem) {
  BioPtr bio = memory_bio(pem);
  if (!bio) return error(openssl_status("allocating BIO"));
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    ERR_clear_error();
    return error(Reason::BadRequest, "not a PEM certificate");
  }
  return cert;
}

Result<PkeyPtr> parse_key_pem(const std::string& pem) {
  BioPtr bio = memory_bio(pem);
  if (!bio) return error(openssl_status("allocating BIO"));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    ERR_clear_error();
    return error(Reason::BadRequest, "not a PEM private key");
  }
  return key;
}

Result<std::string> cert_to_pem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return error(openssl_status("encoding certificate"));
  }
  return drain(bio.get());
}

Result<std::string> key_to_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return error(openssl_status("encoding private key"));
  }
  return drain(bio.get());
}

}  // namespace kite::base::pki_detail
