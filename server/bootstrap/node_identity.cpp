// Node passwords and node certificates (see server/bootstrap/node_identity.h).
#include "server/bootstrap/node_identity.h"

#include <openssl/crypto.h>

#include <algorithm>

namespace kite::bootstrap {

namespace {
using base::Reason;
constexpr auto kNodeCertValidity = std::chrono::hours(24 * 365);

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}
}  // namespace

std::string node_password_secret_name(const std::string& node_name) {
  return node_name + std::string(kNodePasswordSecretSuffix);
}

Result<void> validate_node_name(const std::string& name) {
  auto bad = [&](const std::string& why) {
    return base::error(Reason::BadRequest, "invalid node name \"" + name + "\": " + why);
  };
  if (name.empty()) return bad("must not be empty");
  if (name.size() > 253) return bad("must be no more than 253 characters");
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  for (char c : name) {
    if (!alnum(c) && c != '-' && c != '.') {
      return bad("must consist of lower case alphanumeric characters, '-' or '.'");
    }
  }
  if (!alnum(name.front()) || !alnum(name.back())) {
    return bad("must start and end with an alphanumeric character");
  }
  return {};
}

Result<std::string> hash_node_password(const std::string& password) {
  auto salt = base::random_hex(16);
  if (!salt) return std::unexpected(salt.error());
  auto digest = base::sha256_hex(*salt + password);
  if (!digest) return std::unexpected(digest.error());
  return "sha256$" + *salt + "$" + *digest;
}

bool check_node_password(const std::string& hash, const std::string& password) {
  constexpr std::string_view kScheme = "sha256$";
  if (!hash.starts_with(kScheme)) return false;
  std::string rest = hash.substr(kScheme.size());
  auto dollar = rest.find('$');
  if (dollar == std::string::npos) return false;
  std::string salt = rest.substr(0, dollar);
  std::string want = rest.substr(dollar + 1);
  auto got = base::sha256_hex(salt + password);
  if (!got || got->size() != want.size()) return false;
  return CRYPTO_memcmp(got->data(), want.data(), want.size()) == 0;
}

Result<KeyPair> issue_node_client_cert(const ServerPki& pki, const std::string& node_name) {
  if (auto v = validate_node_name(node_name); !v) return std::unexpected(v.error());
  return issue_client_cert(pki, std::string(kNodeUserPrefix) + node_name, {std::string(kNodesGroup)});
}

Result<KeyPair> issue_node_serving_cert(const ServerPki& pki, const std::string& node_name,
                                        const std::string& hostname,
                                        const std::vector<std::string>& node_ips) {
  if (auto v = validate_node_name(node_name); !v) return std::unexpected(v.error());
  base::CertRequest req;
  req.common_name = node_name;
  req.server = true;
  req.validity = kNodeCertValidity;
  add_unique(req.dns_sans, node_name);
  add_unique(req.dns_sans, "localhost");
  add_unique(req.ip_sans, "127.0.0.1");
  for (const std::string& name : {hostname}) {
    if (name.empty()) continue;
    if (auto ip = base::canonical_ip(name)) {
      add_unique(req.ip_sans, *ip);
    } else {
      add_unique(req.dns_sans, name);
    }
  }
  for (const auto& ip : node_ips) {
    auto canon = base::canonical_ip(ip);
    if (!canon) return base::error(Reason::BadRequest, "node IP \"" + ip + "\" is not an IP address");
    add_unique(req.ip_sans, *canon);
  }
  return base::issue_certificate(pki.server_ca, req);
}

}  // namespace kite::bootstrap
