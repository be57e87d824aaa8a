// Reading certificates back: subject, SANs, validity; chain verification (see base/pki.h).
#include <arpa/inet.h>
#include <openssl/err.h>

#include <ctime>

#include "base/pki.h"
#include "base/pki_openssl.h"

namespace kite::base {

using namespace pki_detail;

namespace {

std::vector<std::string> name_entries(X509_NAME* name, int nid) {
  std::vector<std::string> out;
  int idx = -1;
  while ((idx = X509_NAME_get_index_by_NID(name, nid, idx)) >= 0) {
    X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, idx);
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(entry);
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len >= 0 && utf8 != nullptr) {
      out.emplace_back(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
    }
    OPENSSL_free(utf8);
  }
  return out;
}

std::optional<std::string> ip_bytes_to_text(const unsigned char* bytes, int len) {
  char buf[INET6_ADDRSTRLEN];
  if (len == 4 && inet_ntop(AF_INET, bytes, buf, sizeof(buf)) != nullptr) return std::string(buf);
  if (len == 16 && inet_ntop(AF_INET6, bytes, buf, sizeof(buf)) != nullptr) return std::string(buf);
  return std::nullopt;
}

Result<std::chrono::system_clock::time_point> asn1_time_point(const ASN1_TIME* t) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return error(Reason::BadRequest, "bad certificate time");
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace

std::optional<std::string> canonical_ip(std::string_view text) {
  std::string s(text);
  unsigned char buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) return ip_bytes_to_text(buf, 4);
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) return ip_bytes_to_text(buf, 16);
  return std::nullopt;
}

Result<CertInfo> inspect_certificate(const std::string& cert_pem) {
  auto cert = parse_cert_pem(cert_pem);
  if (!cert) return std::unexpected(cert.error());
  CertInfo info;
  X509_NAME* subject = X509_get_subject_name(cert->get());
  auto cns = name_entries(subject, NID_commonName);
  if (!cns.empty()) info.common_name = cns.back();
  info.organizations = name_entries(subject, NID_organizationName);

  auto* sans = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert->get(), NID_subject_alt_name, nullptr, nullptr));
  if (sans != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, i);
      if (gn->type == GEN_DNS) {
        const ASN1_IA5STRING* s = gn->d.dNSName;
        info.dns_sans.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                   static_cast<size_t>(ASN1_STRING_length(s)));
      } else if (gn->type == GEN_IPADD) {
        const ASN1_OCTET_STRING* s = gn->d.iPAddress;
        if (auto ip = ip_bytes_to_text(ASN1_STRING_get0_data(s), ASN1_STRING_length(s))) {
          info.ip_sans.push_back(*ip);
        }
      }
    }
    GENERAL_NAMES_free(sans);
  }
  auto not_after = asn1_time_point(X509_get0_notAfter(cert->get()));
  if (!not_after) return std::unexpected(not_after.error());
  auto not_before = asn1_time_point(X509_get0_notBefore(cert->get()));
  if (!not_before) return std::unexpected(not_before.error());
  info.not_after = *not_after;
  info.not_before = *not_before;
  info.is_ca = X509_check_ca(cert->get()) != 0;
  ERR_clear_error();
  return info;
}

Result<void> verify_certificate(const std::string& ca_cert_pem, const std::string& cert_pem) {
  auto ca = parse_cert_pem(ca_cert_pem);
  if (!ca) return error(Reason::BadRequest, "CA certificate: " + ca.error().message());
  auto cert = parse_cert_pem(cert_pem);
  if (!cert) return std::unexpected(cert.error());
  StorePtr store(X509_STORE_new());
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !ctx || X509_STORE_add_cert(store.get(), ca->get()) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), cert->get(), nullptr) != 1) {
    return error(openssl_status("certificate store"));
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    int code = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    return error(Reason::Unauthorized, std::string("certificate verification failed: ") +
                                           X509_verify_cert_error_string(code));
  }
  return {};
}

}  // namespace kite::base
