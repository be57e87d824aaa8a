// Generating and reusing the server's certificates (see server/bootstrap/server_pki.h).
#include "server/bootstrap/server_pki.h"

#include <algorithm>
#include <set>

#include "base/jwt.h"
#include "base/log.h"

namespace kite::bootstrap {

namespace {

using base::Reason;

constexpr auto kLeafValidity = std::chrono::hours(24 * 365);
constexpr auto kCaValidity = std::chrono::hours(24 * 3650);
constexpr auto kRenewBefore = std::chrono::hours(24 * 90);

struct PairFiles {
  std::string cert;
  std::string key;
};

PairFiles files_for(const std::string& dir, const std::string& stem) {
  return {dir + "/" + stem + ".crt", dir + "/" + stem + ".key"};
}

// nullopt if neither file exists; an error if only one does or they are unreadable.
Result<std::optional<KeyPair>> load_pair(const PairFiles& f) {
  bool has_cert = base::file_exists(f.cert);
  bool has_key = base::file_exists(f.key);
  if (!has_cert && !has_key) return std::optional<KeyPair>();
  if (has_cert != has_key) {
    return base::error(Reason::InternalError, (has_cert ? f.key : f.cert) + " is missing while " +
                                                  (has_cert ? f.cert : f.key) + " exists");
  }
  auto cert = base::read_file(f.cert);
  if (!cert) return std::unexpected(cert.error());
  auto key = base::read_file(f.key);
  if (!key) return std::unexpected(key.error());
  KeyPair pair{std::move(*cert), std::move(*key)};
  if (auto ok = base::check_key_pair(pair); !ok) {
    return base::error(Reason::InternalError, f.cert + " / " + f.key + ": " + ok.error().message());
  }
  return std::optional<KeyPair>(std::move(pair));
}

Result<void> store_pair(const PairFiles& f, const KeyPair& pair) {
  // Key first: a crash in between leaves a pair that fails check_key_pair and is reissued
  // (leaves) or reported (CAs), never a silently mismatched pair.
  if (auto r = base::write_file_atomic(f.key, pair.key_pem, 0600); !r) return r;
  return base::write_file_atomic(f.cert, pair.cert_pem, 0644);
}

Result<KeyPair> ensure_ca(const PairFiles& f, const std::string& cn) {
  auto loaded = load_pair(f);
  if (!loaded) return std::unexpected(loaded.error());
  if (loaded->has_value()) {
    return std::move(**loaded);
  }
  auto ca = base::generate_ca(cn, kCaValidity);
  if (!ca) return ca;
  if (auto r = store_pair(f, *ca); !r) return std::unexpected(r.error());
  KITE_LOG(info, "bootstrap") << "generated " << cn << " in " << f.cert;
  return ca;
}

// Why an existing leaf must be reissued, or "" if it is still good.
std::string leaf_problem(const KeyPair& ca, const KeyPair& leaf, const WantedSans* want) {
  if (auto v = base::verify_certificate(ca.cert_pem, leaf.cert_pem); !v) return v.error().message();
  auto info = base::inspect_certificate(leaf.cert_pem);
  if (!info) return info.error().message();
  if (info->not_after - std::chrono::system_clock::now() < kRenewBefore) return "expires soon";
  if (want != nullptr) {
    std::set<std::string> dns(info->dns_sans.begin(), info->dns_sans.end());
    std::set<std::string> ips(info->ip_sans.begin(), info->ip_sans.end());
    for (const auto& d : want->dns) {
      if (!dns.count(d)) return "missing SAN " + d;
    }
    for (const auto& ip : want->ips) {
      if (!ips.count(ip)) return "missing SAN " + ip;
    }
  }
  return "";
}

Result<KeyPair> ensure_leaf(const PairFiles& f, const KeyPair& ca, const base::CertRequest& req,
                            const WantedSans* want) {
  auto loaded = load_pair(f);
  std::string why;
  if (!loaded) {
    why = loaded.error().message();
  } else if (!loaded->has_value()) {
    why = "missing";
  } else {
    why = leaf_problem(ca, **loaded, want);
    if (why.empty()) return std::move(**loaded);
  }
  auto leaf = base::issue_certificate(ca, req);
  if (!leaf) return leaf;
  if (auto r = store_pair(f, *leaf); !r) return std::unexpected(r.error());
  KITE_LOG(info, "bootstrap") << "issued " << f.cert << " (" << why << ")";
  return leaf;
}

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

}  // namespace

WantedSans serving_sans(const ServerPkiOptions& opts) {
  WantedSans w;
  auto add = [&](const std::string& name) {
    if (name.empty()) return;
    if (auto ip = base::canonical_ip(name)) {
      add_unique(w.ips, *ip);
    } else {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      add_unique(w.dns, lower);
    }
  };
  add(opts.hostname);
  add("localhost");
  add("127.0.0.1");
  add("::1");
  add(opts.advertise_address);
  for (const auto& s : opts.extra_sans) add(s);
  add("kubernetes");
  add("kubernetes.default");
  add("kubernetes.default.svc");
  add("kubernetes.default.svc." +
      (opts.cluster_domain.empty() ? std::string("cluster.local") : opts.cluster_domain));
  add(opts.service_ip);
  std::sort(w.dns.begin(), w.dns.end());
  std::sort(w.ips.begin(), w.ips.end());
  return w;
}

Result<ServerPki> ensure_server_pki(const ServerPkiOptions& opts) {
  if (opts.tls_dir.empty()) return base::error(Reason::BadRequest, "tls_dir is empty");
  if (!opts.service_ip.empty() && !base::canonical_ip(opts.service_ip)) {
    return base::error(Reason::BadRequest, "service IP is not an IP address: " + opts.service_ip);
  }
  ServerPki pki;
  pki.tls_dir = opts.tls_dir;
  const std::string& dir = opts.tls_dir;

  auto server_ca_files = files_for(dir, "server-ca");
  auto server_ca = ensure_ca(server_ca_files, "kite-server-ca");
  if (!server_ca) return std::unexpected(server_ca.error());
  auto client_ca_files = files_for(dir, "client-ca");
  auto client_ca = ensure_ca(client_ca_files, "kite-client-ca");
  if (!client_ca) return std::unexpected(client_ca.error());
  pki.server_ca = std::move(*server_ca);
  pki.client_ca = std::move(*client_ca);
  pki.server_ca_file = server_ca_files.cert;
  pki.client_ca_file = client_ca_files.cert;

  WantedSans want = serving_sans(opts);
  base::CertRequest serving_req;
  serving_req.common_name = "kube-apiserver";
  serving_req.dns_sans = want.dns;
  serving_req.ip_sans = want.ips;
  serving_req.server = true;
  serving_req.validity = kLeafValidity;
  auto serving_files = files_for(dir, "serving-kube-apiserver");
  auto serving = ensure_leaf(serving_files, pki.server_ca, serving_req, &want);
  if (!serving) return std::unexpected(serving.error());
  pki.serving = std::move(*serving);
  pki.serving_cert_file = serving_files.cert;
  pki.serving_key_file = serving_files.key;

  base::CertRequest admin_req;
  admin_req.common_name = "system:admin";
  admin_req.organizations = {"system:masters"};
  admin_req.client = true;
  admin_req.validity = kLeafValidity;
  auto admin_files = files_for(dir, "client-admin");
  auto admin = ensure_leaf(admin_files, pki.client_ca, admin_req, nullptr);
  if (!admin) return std::unexpected(admin.error());
  pki.admin = std::move(*admin);
  pki.admin_cert_file = admin_files.cert;
  pki.admin_key_file = admin_files.key;

  base::CertRequest apiserver_req;
  apiserver_req.common_name = "kube-apiserver";
  apiserver_req.organizations = {"system:masters"};
  apiserver_req.client = true;
  apiserver_req.validity = kLeafValidity;
  auto apiserver_files = files_for(dir, "client-kube-apiserver");
  auto apiserver_client = ensure_leaf(apiserver_files, pki.client_ca, apiserver_req, nullptr);
  if (!apiserver_client) return std::unexpected(apiserver_client.error());
  pki.apiserver_client = std::move(*apiserver_client);
  pki.apiserver_client_cert_file = apiserver_files.cert;
  pki.apiserver_client_key_file = apiserver_files.key;

  // The service account token signing key (k3s's path), kept once made: tokens already given
  // out stay valid across restarts.
  pki.service_account_key_file = dir + "/service.key";
  if (!base::file_exists(pki.service_account_key_file)) {
    auto key = base::generate_signing_key();
    if (!key) return std::unexpected(key.error());
    if (auto w = base::write_file_atomic(pki.service_account_key_file, *key, 0600); !w) return std::unexpected(w.error());
  }
  return pki;
}

Result<KeyPair> issue_client_cert(const ServerPki& pki, const std::string& cn,
                                  const std::vector<std::string>& orgs) {
  base::CertRequest req;
  req.common_name = cn;
  req.organizations = orgs;
  req.client = true;
  req.validity = kLeafValidity;
  return base::issue_certificate(pki.client_ca, req);
}

}  // namespace kite::bootstrap
