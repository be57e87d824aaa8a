// The agent side of joining a cluster (see agent/join/join.h).
#include "agent/join/join.h"

#include <algorithm>
#include <set>

#include "agent/join/node_password.h"
#include "base/base64.h"
#include "base/log.h"
#include "server/bootstrap/kubeconfig.h"
#include "server/bootstrap/token.h"

namespace kite::agent {

namespace {

using base::Reason;
constexpr auto kRenewBefore = std::chrono::hours(24 * 30);

std::string trim_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// Splits "CERT PEM + KEY PEM" as the server sends them.
base::Result<base::KeyPair> split_pair(const std::string& body, const std::string& what) {
  auto key_at = body.find("-----BEGIN PRIVATE KEY-----");
  if (key_at == std::string::npos) key_at = body.find("-----BEGIN EC PRIVATE KEY-----");
  if (key_at == std::string::npos || body.find("-----BEGIN CERTIFICATE-----") != 0) {
    return base::error(Reason::InternalError, "the server's " + what + " reply is not a certificate and key");
  }
  base::KeyPair pair{body.substr(0, key_at), body.substr(key_at)};
  if (auto ok = base::check_key_pair(pair); !ok) {
    return base::error(Reason::InternalError, "the server's " + what + ": " + ok.error().message());
  }
  return pair;
}

// Why stored certificates cannot be reused, or "" when they can.
std::string stored_problem(const NodeCredentials& c, const std::string& node, const std::vector<std::string>& ips) {
  if (auto v = base::verify_certificate(c.client_ca_pem, c.client.cert_pem); !v) return v.error().message();
  if (auto v = base::verify_certificate(c.server_ca_pem, c.serving.cert_pem); !v) return v.error().message();
  if (!base::check_key_pair(c.client) || !base::check_key_pair(c.serving)) return "key does not match";
  auto client = base::inspect_certificate(c.client.cert_pem);
  auto serving = base::inspect_certificate(c.serving.cert_pem);
  if (!client || !serving) return "unreadable certificate";
  auto now = std::chrono::system_clock::now();
  if (client->not_after - now < kRenewBefore || serving->not_after - now < kRenewBefore) return "expires soon";
  if (client->common_name != "system:node:" + node) return "issued for another node name";
  std::set<std::string> have(serving->ip_sans.begin(), serving->ip_sans.end());
  for (const auto& ip : ips) {
    auto canon = base::canonical_ip(ip);
    if (!canon || !have.count(*canon)) return "serving certificate lacks IP " + ip;
  }
  if (std::find(serving->dns_sans.begin(), serving->dns_sans.end(), node) == serving->dns_sans.end()) {
    return "serving certificate lacks the node name";
  }
  return "";
}

base::Result<std::string> read_stored(const std::string& path) { return base::read_file(path); }

base::Result<void> store(const std::string& path, const std::string& data, mode_t mode) {
  auto r = base::write_file_atomic(path, data, mode);
  if (!r) return base::error(Reason::InternalError, "writing " + path + ": " + r.error().message());
  return {};
}

}  // namespace

base::Result<NodeCredentials> join_cluster(const JoinOptions& o) {
  if (o.server_url.empty()) return base::error(Reason::BadRequest, "no server URL (--server or KITE_URL)");
  if (!o.server_url.starts_with("https://")) {
    return base::error(Reason::BadRequest, "--server must be an https:// URL, got \"" + o.server_url + "\"");
  }
  auto token = bootstrap::parse_token(o.token);
  if (!token) return base::error(Reason::BadRequest, "invalid token: " + token.error().message());
  Fetcher fetch = o.fetch ? o.fetch : https_fetcher();
  const std::string base_url = trim_slash(o.server_url);

  NodeCredentials c;
  c.server_url = base_url;
  c.server_ca_file = o.agent_dir + "/server-ca.crt";
  c.client_ca_file = o.agent_dir + "/client-ca.crt";
  c.client_cert_file = o.agent_dir + "/client-kubelet.crt";
  c.client_key_file = o.agent_dir + "/client-kubelet.key";
  c.serving_cert_file = o.agent_dir + "/serving-kubelet.crt";
  c.serving_key_file = o.agent_dir + "/serving-kubelet.key";
  c.kubeconfig_file = o.agent_dir + "/kubelet.kubeconfig";

  // 1. The CA, unverified, pinned by the token's hash.
  FetchRequest ca_req;
  ca_req.url = base_url + "/cacerts";
  auto ca = fetch(ca_req);
  if (!ca) {
    return base::error(Reason::ServiceUnavailable, "cannot reach the server at " + base_url + ": " + ca.error().message());
  }
  if (ca->status != 200) {
    return base::error(Reason::ServiceUnavailable, "GET " + ca_req.url + " answered " + std::to_string(ca->status) +
                                                       " (is this a kite server?)");
  }
  if (auto v = bootstrap::verify_ca_hash(*token, ca->body); !v) {
    return base::error(Reason::Unauthorized, "refusing to join " + base_url + ": " + v.error().message() +
                                                 "; no credentials were sent");
  }
  if (token->ca_hash.empty()) {
    KITE_LOG(warn, "join") << "the token has no CA hash: trusting the CA " << base_url
                           << " presents (use the full K10... token to pin it)";
  }
  c.server_ca_pem = ca->body;

  const std::string password_file = o.agent_dir + "/node-password";
  auto node_password = ensure_node_password(password_file);
  if (!node_password) return std::unexpected(node_password.error());

  // 2. Reuse what is stored while it is still good.
  auto stored_ca = read_stored(c.server_ca_file);
  if (stored_ca && *stored_ca == c.server_ca_pem) {
    auto cca = read_stored(c.client_ca_file);
    auto cc = read_stored(c.client_cert_file);
    auto ck = read_stored(c.client_key_file);
    auto sc = read_stored(c.serving_cert_file);
    auto sk = read_stored(c.serving_key_file);
    if (cca && cc && ck && sc && sk && base::file_exists(c.kubeconfig_file)) {
      NodeCredentials stored = c;
      stored.client_ca_pem = *cca;
      stored.client = {*cc, *ck};
      stored.serving = {*sc, *sk};
      std::string why = stored_problem(stored, o.node_name, o.node_ips);
      if (why.empty()) {
        stored.reused = true;
        KITE_LOG(info, "join") << "reusing the node certificates in " << o.agent_dir;
        return stored;
      }
      KITE_LOG(info, "join") << "requesting new node certificates (" << why << ")";
    }
  }

  // 3. Certificates, with the token as basic auth and TLS verified against the pinned CA.
  if (auto w = store(c.server_ca_file, c.server_ca_pem, 0644); !w) return std::unexpected(w.error());
  std::string user = token->username == bootstrap::kDefaultTokenUser && token->ca_hash.empty() ? "node" : token->username;
  std::string auth = "Basic " + base::base64_encode(user + ":" + token->password);
  std::string ips;
  for (const auto& ip : o.node_ips) ips += (ips.empty() ? "" : ",") + ip;
  auto get = [&](const std::string& path) -> base::Result<std::string> {
    FetchRequest r;
    r.url = base_url + path;
    r.ca_file = c.server_ca_file;
    r.headers = {{"Authorization", auth},
                 {"Kite-Node-Name", o.node_name},
                 {"Kite-Node-Password", *node_password},
                 {"Kite-Node-IP", ips},
                 {"Kite-Node-Hostname", o.hostname}};
    auto reply = fetch(r);
    if (!reply) {
      return base::error(Reason::ServiceUnavailable, "GET " + r.url + ": " + reply.error().message());
    }
    std::string body = reply->body;
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
    if (reply->status == 401) {
      return base::error(Reason::Unauthorized, "the server at " + base_url + " rejected the join token (" + body + ")");
    }
    if (reply->status == 403) return base::error(Reason::Forbidden, body + " (node password file: " + password_file + ")");
    if (reply->status != 200) {
      return base::error(Reason::InternalError, "GET " + r.url + " answered " + std::to_string(reply->status) + ": " + body);
    }
    return reply->body;
  };
  auto client_ca = get("/v1-kite/client-ca.crt");
  if (!client_ca) return std::unexpected(client_ca.error());
  auto client_body = get("/v1-kite/client-kubelet.crt");
  if (!client_body) return std::unexpected(client_body.error());
  auto serving_body = get("/v1-kite/serving-kubelet.crt");
  if (!serving_body) return std::unexpected(serving_body.error());
  auto client = split_pair(*client_body, "client certificate");
  if (!client) return std::unexpected(client.error());
  auto serving = split_pair(*serving_body, "serving certificate");
  if (!serving) return std::unexpected(serving.error());
  c.client_ca_pem = *client_ca;
  c.client = std::move(*client);
  c.serving = std::move(*serving);

  // 4. Keep them.
  for (auto [path, data, mode] : {std::tuple{&c.client_ca_file, &c.client_ca_pem, 0644},
                                  std::tuple{&c.client_key_file, &c.client.key_pem, 0600},
                                  std::tuple{&c.client_cert_file, &c.client.cert_pem, 0644},
                                  std::tuple{&c.serving_key_file, &c.serving.key_pem, 0600},
                                  std::tuple{&c.serving_cert_file, &c.serving.cert_pem, 0644}}) {
    if (auto w = store(*path, *data, static_cast<mode_t>(mode)); !w) return std::unexpected(w.error());
  }
  bootstrap::KubeconfigOptions kc;
  kc.path = c.kubeconfig_file;
  kc.mode = "0600";
  kc.server_url = base_url;
  kc.ca_pem = c.server_ca_pem;
  kc.client_cert_pem = c.client.cert_pem;
  kc.client_key_pem = c.client.key_pem;
  if (auto w = bootstrap::write_kubeconfig(kc); !w) {
    return base::error(Reason::InternalError, "writing " + kc.path + ": " + w.error().message());
  }
  KITE_LOG(info, "join") << "joined " << base_url << " as node " << o.node_name;
  return c;
}

}  // namespace kite::agent
