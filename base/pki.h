// PKI helpers on OpenSSL 3: certificate authorities, leaf certificates, inspection and chain
// verification, digests and random secrets, and small file helpers used to keep
// key material on disk.
//
// Keys are ECDSA P-256 (fast to generate), signatures SHA-256. Certificates and keys travel as
// PEM text: certificates "CERTIFICATE", keys PKCS#8 "PRIVATE KEY". Every function is
// stateless and thread-safe (OpenSSL 3 initialises itself once); errors come back as a Status
// (BadRequest for malformed input, NotFound for a missing file, InternalError for OpenSSL or
// OS failures), never as exceptions.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace kite::base {

struct KeyPair {
  std::string cert_pem;
  std::string key_pem;
};

struct CertRequest {
  std::string common_name;
  std::vector<std::string> organizations;  // O= entries (e.g. "system:masters")
  std::vector<std::string> dns_sans;
  std::vector<std::string> ip_sans;  // "127.0.0.1", "::1", ...
  bool server = false;               // extendedKeyUsage serverAuth
  bool client = false;               // extendedKeyUsage clientAuth
  std::chrono::hours validity{24 * 365};
};

// A self-signed CA (basicConstraints CA:TRUE, keyUsage keyCertSign/cRLSign/digitalSignature).
Result<KeyPair> generate_ca(const std::string& common_name,
                            std::chrono::hours validity = std::chrono::hours(24 * 3650));
// A leaf certificate signed by `ca` for a fresh key. A malformed IP SAN -> BadRequest.
Result<KeyPair> issue_certificate(const KeyPair& ca, const CertRequest& req);

struct CertInfo {
  std::string common_name;
  std::vector<std::string> organizations;
  std::vector<std::string> dns_sans;
  std::vector<std::string> ip_sans;  // canonical text (inet_ntop form: "10.0.0.1", "::1")
  std::chrono::system_clock::time_point not_after;
  std::chrono::system_clock::time_point not_before;
  bool is_ca = false;
};
// Reads the first certificate of a PEM text.
Result<CertInfo> inspect_certificate(const std::string& cert_pem);

// Ok if `cert_pem` chains to the CA certificate `ca_cert_pem` (X509_verify_cert: signature,
// validity period, CA constraints). Unauthorized with OpenSSL's reason otherwise.
Result<void> verify_certificate(const std::string& ca_cert_pem, const std::string& cert_pem);
// Ok if the private key belongs to the certificate's public key.
Result<void> check_key_pair(const KeyPair& pair);

// The canonical text of an IP address ("::0001" -> "::1"), or nullopt if `text` is not an
// IPv4/IPv6 literal. Used to sort SANs into IPs and DNS names and to compare them.
std::optional<std::string> canonical_ip(std::string_view text);

Result<std::string> sha256_hex(std::string_view data);  // lowercase hex
Result<std::string> random_hex(size_t bytes);           // 2*bytes hex chars from RAND_bytes

// The whole file; NotFound if it does not exist.
Result<std::string> read_file(const std::string& path);
// Writes atomically (temp file + fsync + rename) with the given mode; creates parent dirs (0700).
Result<void> write_file_atomic(const std::string& path, std::string_view data, mode_t mode);
// True if `path` names an existing file (or directory).
bool file_exists(const std::string& path);

}  // namespace kite::base
