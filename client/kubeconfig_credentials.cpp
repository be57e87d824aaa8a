// credentials_from_kubeconfig: the server, CA and client credentials of a kubeconfig's
// current context, as kubectl reads them (embedded *-data fields or file paths relative to
// the kubeconfig's directory, token or tokenFile).
#include <filesystem>

#include "base/base64.h"
#include "base/pki.h"
#include "base/yaml_json.h"
#include "client/rest_client.h"

namespace kite::client {

namespace {

using base::Reason;

// The entry named `name` of a kubeconfig list (clusters/contexts/users), its inner object.
const json* find_named(const json& doc, const char* list, const char* inner, const std::string& name) {
  auto l = doc.find(list);
  if (l == doc.end() || !l->is_array()) return nullptr;
  for (const auto& entry : *l) {
    if (!entry.is_object() || entry.value("name", "") != name) continue;
    auto in = entry.find(inner);
    return in != entry.end() && in->is_object() ? &*in : nullptr;
  }
  return nullptr;
}

std::string string_field(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

// Reads `<key>-data` (base64) or `<key>` (a file path) into *out. Absent: leaves *out empty.
base::Result<void> read_material(const json& obj, const std::string& key, const std::filesystem::path& dir,
                                 std::string* out) {
  std::string data = string_field(obj, (key + "-data").c_str());
  if (!data.empty()) {
    auto decoded = base::base64_decode(data);
    if (!decoded) return base::error(Reason::BadRequest, "kubeconfig: " + key + "-data is not valid base64");
    *out = std::move(*decoded);
    return {};
  }
  std::string file = string_field(obj, key.c_str());
  if (file.empty()) return {};
  std::filesystem::path p(file);
  if (p.is_relative()) p = dir / p;
  auto content = base::read_file(p.string());
  if (!content) return base::error(content.error().reason(), "kubeconfig: " + key + ": " + content.error().message());
  *out = std::move(*content);
  return {};
}

}  // namespace

base::Result<HttpsCredentials> credentials_from_kubeconfig(const std::string& path) {
  auto text = base::read_file(path);
  if (!text) return base::error(text.error().reason(), "reading kubeconfig " + path + ": " + text.error().message());
  auto doc = base::yaml_to_json(*text);
  if (!doc) return base::error(Reason::BadRequest, "parsing kubeconfig " + path + ": " + doc.error().message());
  if (!doc->is_object()) return base::error(Reason::BadRequest, "kubeconfig " + path + " is not a mapping");
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();

  std::string context_name = string_field(*doc, "current-context");
  if (context_name.empty()) {
    auto contexts = doc->find("contexts");
    if (contexts != doc->end() && contexts->is_array() && contexts->size() == 1 && (*contexts)[0].is_object()) {
      context_name = (*contexts)[0].value("name", "");
    }
  }
  if (context_name.empty()) return base::error(Reason::BadRequest, "kubeconfig " + path + " has no current-context");
  const json* context = find_named(*doc, "contexts", "context", context_name);
  if (!context) return base::error(Reason::BadRequest, "kubeconfig " + path + ": no context \"" + context_name + "\"");
  std::string cluster_name = string_field(*context, "cluster");
  std::string user_name = string_field(*context, "user");
  const json* cluster = find_named(*doc, "clusters", "cluster", cluster_name);
  if (!cluster) return base::error(Reason::BadRequest, "kubeconfig " + path + ": no cluster \"" + cluster_name + "\"");

  HttpsCredentials creds;
  creds.server = string_field(*cluster, "server");
  if (creds.server.empty()) return base::error(Reason::BadRequest, "kubeconfig " + path + ": the cluster has no server");
  if (cluster->value("insecure-skip-tls-verify", false)) {
    return base::error(Reason::BadRequest, "kubeconfig " + path +
                                               ": insecure-skip-tls-verify is not supported; give the cluster's CA");
  }
  if (auto r = read_material(*cluster, "certificate-authority", dir, &creds.ca_pem); !r) return base::error(r.error());

  if (const json* user = find_named(*doc, "users", "user", user_name)) {
    if (auto r = read_material(*user, "client-certificate", dir, &creds.cert_pem); !r) return base::error(r.error());
    if (auto r = read_material(*user, "client-key", dir, &creds.key_pem); !r) return base::error(r.error());
    creds.bearer_token = string_field(*user, "token");
    if (std::string token_file = string_field(*user, "tokenFile"); creds.bearer_token.empty() && !token_file.empty()) {
      std::filesystem::path p(token_file);
      if (p.is_relative()) p = dir / p;
      auto token = base::read_file(p.string());
      if (!token) return base::error(token.error().reason(), "kubeconfig: tokenFile: " + token.error().message());
      creds.bearer_token = *token;
      while (!creds.bearer_token.empty() && (creds.bearer_token.back() == '\n' || creds.bearer_token.back() == '\r'))
        creds.bearer_token.pop_back();
    }
    if (creds.cert_pem.empty() != creds.key_pem.empty()) {
      return base::error(Reason::BadRequest, "kubeconfig " + path + ": user \"" + user_name +
                                                 "\" has a client certificate without its key (or the reverse)");
    }
  } else if (!user_name.empty()) {
    return base::error(Reason::BadRequest, "kubeconfig " + path + ": no user \"" + user_name + "\"");
  }
  return creds;
}

}  // namespace kite::client
