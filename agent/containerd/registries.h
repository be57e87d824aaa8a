// Private-registry settings read from /etc/kite/registries.yaml, in k3s's format:
//
//   mirrors:
//     docker.io:
//       endpoint: ["https://mirror.local:5000"]
//       rewrite: {"^library/(.*)": "mirrored/$1"}
//   configs:
//     "mirror.local:5000":
//       auth: {username: u, password: p, auth: base64, identity_token: t}
//       tls: {ca_file: /ca.pem, cert_file: /c.pem, key_file: /k.pem, insecure_skip_verify: false}
//
// parse_registries_yaml() is pure; load_registries_file() reads the file (a missing file means
// "no registries", anything else unreadable or malformed is an error naming the file and,
// when known, the line). Unknown keys are refused so typos do not go unnoticed. Thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace kite::agent {

struct RegistryMirror {
  std::vector<std::string> endpoints;
  std::map<std::string, std::string> rewrites;  // regex -> replacement (see README: 1.6 limit)
};

struct RegistryAuth {
  std::string username, password, auth, identity_token;
};

struct RegistryTls {
  std::string ca_file, cert_file, key_file;
  bool insecure_skip_verify = false;
};

struct RegistryConfig {
  std::optional<RegistryAuth> auth;
  std::optional<RegistryTls> tls;
};

struct Registries {
  std::map<std::string, RegistryMirror> mirrors;  // by registry host ("docker.io")
  std::map<std::string, RegistryConfig> configs;  // by registry host ("host:port")
};

// `file_name` only labels error messages.
base::Result<Registries> parse_registries_yaml(std::string_view yaml, const std::string& file_name);
// Missing file -> empty Registries.
base::Result<Registries> load_registries_file(const std::string& path);

}  // namespace kite::agent
