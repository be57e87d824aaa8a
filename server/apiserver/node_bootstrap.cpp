// The join endpoints (see server/apiserver/node_bootstrap.h).
#include "server/apiserver/node_bootstrap.h"

#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "base/log.h"
#include "server/apiserver/rest.h"
#include "server/bootstrap/node_identity.h"

namespace kite::apiserver {

namespace {

Response pem_response(std::string body) {
  Response r;
  r.status = 200;
  r.set_header("Content-Type", "application/x-pem-file");
  r.body = std::move(body);
  return r;
}

Response text_error(int code, const std::string& message) {
  Response r;
  r.status = code;
  r.set_header("Content-Type", "text/plain; charset=utf-8");
  if (code == 401) r.set_header("WWW-Authenticate", "Basic realm=\"kite\"");
  r.body = message + "\n";
  return r;
}

bool equal_secret(const std::string& a, const std::string& b) {
  return !a.empty() && a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t comma = s.find(',', pos);
    if (comma == std::string::npos) comma = s.size();
    std::string part = s.substr(pos, comma - pos);
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    while (!part.empty() && part.back() == ' ') part.pop_back();
    if (!part.empty()) out.push_back(part);
    pos = comma + 1;
  }
  return out;
}

}  // namespace

NodeBootstrapEndpoints::NodeBootstrapEndpoints(NodeBootstrapOptions options, SystemRoute system_route)
    : options_(std::move(options)), route_(std::move(system_route)) {}

bool NodeBootstrapEndpoints::handles(const std::string& path) {
  return path == "/cacerts" || path.starts_with("/v1-kite/");
}

Response NodeBootstrapEndpoints::handle(Request& req) const {
  if (req.method != "GET") return text_error(405, "method not allowed");
  if (req.path == "/cacerts") return pem_response(options_.pki.server_ca.cert_pem);

  // Basic auth with the join token.
  std::string auth = req.header("authorization");
  static const std::string kBasic = "Basic ";
  if (!auth.starts_with(kBasic)) return text_error(401, "Unauthorized: a join token is required");
  auto decoded = base::base64_decode(auth.substr(kBasic.size()));
  auto colon = decoded ? decoded->find(':') : std::string::npos;
  if (colon == std::string::npos) return text_error(401, "Unauthorized: malformed basic credentials");
  std::string user = decoded->substr(0, colon);
  std::string password = decoded->substr(colon + 1);
  const std::string& server_pw = options_.server_token.password;
  const std::string& agent_pw = options_.agent_password.empty() ? server_pw : options_.agent_password;
  bool ok = ((user == "node" || user == options_.server_token.username) && equal_secret(password, server_pw)) ||
            (user == "node" && equal_secret(password, agent_pw));
  if (!ok) return text_error(401, "Unauthorized: invalid join token");

  if (req.path == "/v1-kite/client-ca.crt") return pem_response(options_.pki.client_ca.cert_pem);
  bool client = req.path == "/v1-kite/client-kubelet.crt";
  bool serving = req.path == "/v1-kite/serving-kubelet.crt";
  if (!client && !serving) return text_error(404, "not found: " + req.path);

  std::string node = req.header("kite-node-name");
  std::string node_password = req.header("kite-node-password");
  if (auto v = bootstrap::validate_node_name(node); !v) return text_error(400, v.error().message());
  if (node_password.empty()) return text_error(400, "the Kite-Node-Password header is required");
  if (auto r = check_node_password(node, node_password); r.status != 200) return r;

  base::Result<bootstrap::KeyPair> pair =
      client ? bootstrap::issue_node_client_cert(options_.pki, node)
             : bootstrap::issue_node_serving_cert(options_.pki, node, req.header("kite-node-hostname"),
                                                  split_commas(req.header("kite-node-ip")));
  if (!pair) {
    int code = pair.error().reason() == Reason::BadRequest ? 400 : 500;
    return text_error(code, pair.error().message());
  }
  KITE_LOG(info, "bootstrap") << "issued " << (client ? "client" : "serving") << " certificate for node " << node;
  return pem_response(pair->cert_pem + pair->key_pem);
}

// 200 when the password matches the stored hash or was just stored (first join); 403 on a
// mismatch; 500 when the Secret cannot be read or written.
Response NodeBootstrapEndpoints::check_node_password(const std::string& node, const std::string& password) const {
  const std::string ns(bootstrap::kNodePasswordNamespace);
  const std::string name = bootstrap::node_password_secret_name(node);
  const std::string path = "/api/v1/namespaces/" + ns + "/secrets/" + name;
  for (int attempt = 0; attempt < 3; ++attempt) {
    Request get = internal_request("GET", path);
    Response got = route_(get);
    if (got.status == 200) {
      json secret = json::parse(got.body, nullptr, false);
      std::string stored;
      if (secret.is_object() && secret.contains("data") && secret["data"].contains("hash") &&
          secret["data"]["hash"].is_string()) {
        stored = base::base64_decode(secret["data"]["hash"].get<std::string>()).value_or("");
      }
      if (bootstrap::check_node_password(stored, password)) return Response{};
      KITE_LOG(warn, "bootstrap") << "node password rejected for node " << node;
      return text_error(403, "Node password rejected: node \"" + node +
                                 "\" is already registered with a different node password. Another machine "
                                 "may use the same node name, or this machine's node-password file (under "
                                 "<data-dir>/agent/) was replaced. Give this machine a unique name with "
                                 "--node-name or --with-node-id, or delete Secret " + ns + "/" + name +
                                 " if the old node is gone.");
    }
    if (got.status != 404) return text_error(500, "reading the node password Secret: " + got.body);
    auto hash = bootstrap::hash_node_password(password);
    if (!hash) return text_error(500, hash.error().message());
    json secret = {{"apiVersion", "v1"},
                   {"kind", "Secret"},
                   {"type", "kite.io/node-password"},
                   {"metadata", {{"name", name}, {"namespace", ns}}},
                   {"data", {{"hash", base::base64_encode(*hash)}}}};
    Request create = internal_request("POST", "/api/v1/namespaces/" + ns + "/secrets", "application/json",
                                      secret.dump());
    Response created = route_(create);
    if (created.status == 201) {
      KITE_LOG(info, "bootstrap") << "stored the node password of new node " << node;
      return Response{};
    }
    if (created.status != 409) return text_error(500, "storing the node password Secret: " + created.body);
    // Another request for the same node won the race: compare with what it stored.
  }
  return text_error(500, "could not read or store the node password Secret " + ns + "/" + name);
}

}  // namespace kite::apiserver
