#include "agent/containerd/registries.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace kite::agent {
namespace {

using base::Reason;

// Errors thrown inside the walk and turned into one Status at the edge.
struct SchemaError {
  std::string message;
};

std::string where(const std::string& file, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return file;
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

[[noreturn]] void fail(const std::string& file, const YAML::Node& node, const std::string& what) {
  throw SchemaError{where(file, node) + ": " + what};
}

void expect_map(const std::string& file, const YAML::Node& node, const std::string& what) {
  if (!node.IsMap()) fail(file, node, what + " must be a mapping");
}

void check_keys(const std::string& file, const YAML::Node& node, const std::string& what,
                const std::set<std::string>& allowed) {
  for (const auto& kv : node) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (!allowed.contains(key)) fail(file, kv.first, "unknown key \"" + key + "\" in " + what);
  }
}

std::string scalar(const std::string& file, const YAML::Node& node, const std::string& what) {
  if (node.IsNull()) return "";
  if (!node.IsScalar()) fail(file, node, what + " must be a string");
  return node.Scalar();
}

bool boolean(const std::string& file, const YAML::Node& node, const std::string& what) {
  if (node.IsNull()) return false;
  const std::string s = scalar(file, node, what);
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  fail(file, node, what + " must be true or false");
}

RegistryMirror parse_mirror(const std::string& file, const std::string& host,
                            const YAML::Node& node) {
  RegistryMirror mirror;
  if (node.IsNull()) return mirror;
  const std::string what = "mirrors." + host;
  expect_map(file, node, what);
  check_keys(file, node, what, {"endpoint", "rewrite"});
  if (const YAML::Node endpoints = node["endpoint"]; endpoints && !endpoints.IsNull()) {
    if (!endpoints.IsSequence()) fail(file, endpoints, what + ".endpoint must be a list");
    for (const auto& e : endpoints) mirror.endpoints.push_back(scalar(file, e, what + ".endpoint"));
  }
  if (const YAML::Node rewrite = node["rewrite"]; rewrite && !rewrite.IsNull()) {
    expect_map(file, rewrite, what + ".rewrite");
    for (const auto& kv : rewrite) {
      mirror.rewrites[scalar(file, kv.first, what + ".rewrite key")] =
          scalar(file, kv.second, what + ".rewrite value");
    }
  }
  return mirror;
}

RegistryConfig parse_config(const std::string& file, const std::string& host,
                            const YAML::Node& node) {
  RegistryConfig config;
  if (node.IsNull()) return config;
  const std::string what = "configs." + host;
  expect_map(file, node, what);
  check_keys(file, node, what, {"auth", "tls"});
  if (const YAML::Node a = node["auth"]; a && !a.IsNull()) {
    expect_map(file, a, what + ".auth");
    check_keys(file, a, what + ".auth", {"username", "password", "auth", "identity_token"});
    RegistryAuth auth;
    if (a["username"]) auth.username = scalar(file, a["username"], what + ".auth.username");
    if (a["password"]) auth.password = scalar(file, a["password"], what + ".auth.password");
    if (a["auth"]) auth.auth = scalar(file, a["auth"], what + ".auth.auth");
    if (a["identity_token"]) {
      auth.identity_token = scalar(file, a["identity_token"], what + ".auth.identity_token");
    }
    config.auth = auth;
  }
  if (const YAML::Node t = node["tls"]; t && !t.IsNull()) {
    expect_map(file, t, what + ".tls");
    check_keys(file, t, what + ".tls",
               {"ca_file", "cert_file", "key_file", "insecure_skip_verify"});
    RegistryTls tls;
    if (t["ca_file"]) tls.ca_file = scalar(file, t["ca_file"], what + ".tls.ca_file");
    if (t["cert_file"]) tls.cert_file = scalar(file, t["cert_file"], what + ".tls.cert_file");
    if (t["key_file"]) tls.key_file = scalar(file, t["key_file"], what + ".tls.key_file");
    if (t["insecure_skip_verify"]) {
      tls.insecure_skip_verify =
          boolean(file, t["insecure_skip_verify"], what + ".tls.insecure_skip_verify");
    }
    config.tls = tls;
  }
  return config;
}

Registries walk(const std::string& file, const YAML::Node& root) {
  Registries out;
  if (!root || root.IsNull()) return out;
  expect_map(file, root, "the document");
  check_keys(file, root, "the document", {"mirrors", "configs"});
  if (const YAML::Node mirrors = root["mirrors"]; mirrors && !mirrors.IsNull()) {
    expect_map(file, mirrors, "mirrors");
    for (const auto& kv : mirrors) {
      const std::string host = scalar(file, kv.first, "a mirrors key");
      out.mirrors[host] = parse_mirror(file, host, kv.second);
    }
  }
  if (const YAML::Node configs = root["configs"]; configs && !configs.IsNull()) {
    expect_map(file, configs, "configs");
    for (const auto& kv : configs) {
      const std::string host = scalar(file, kv.first, "a configs key");
      out.configs[host] = parse_config(file, host, kv.second);
    }
  }
  return out;
}

}  // namespace

base::Result<Registries> parse_registries_yaml(std::string_view yaml,
                                               const std::string& file_name) {
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    return walk(file_name, root);
  } catch (const SchemaError& e) {
    return base::error(Reason::Invalid, "registries file " + e.message);
  } catch (const YAML::Exception& e) {
    std::string msg = "registries file " + file_name;
    if (!e.mark.is_null()) {
      msg += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    }
    return base::error(Reason::Invalid, msg + ": invalid YAML: " + e.msg);
  }
}

base::Result<Registries> load_registries_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) && !ec) return Registries{};
  std::ifstream in(path);
  if (!in) {
    return base::error(Reason::InternalError,
                       "registries file " + path + ": " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_registries_yaml(text.str(), path);
}

}  // namespace kite::agent
