// Kubeconfig files with embedded credentials (certificate-authority-data,
// client-certificate-data, client-key-data as base64), one cluster, one user, one context,
// as written for --write-kubeconfig and for agents. Stateless and thread-safe.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/status.h"

namespace kite::bootstrap {

using base::Result;

struct KubeconfigOptions {
  std::string path;
  std::string mode = "0600";  // octal text like k3s's --write-kubeconfig-mode ("644", "0600")
  std::string server_url;     // https://127.0.0.1:6443
  std::string ca_pem;
  std::string client_cert_pem;
  std::string client_key_pem;
  std::string cluster_name = "default";
  std::string user_name = "default";
};

// Parses octal permission text ("644", "0600", "0o640"); BadRequest unless it is 1-4 octal
// digits no greater than 07777.
Result<mode_t> parse_file_mode(std::string_view text);

// The kubeconfig YAML text for `opts` (path and mode unused).
Result<std::string> render_kubeconfig(const KubeconfigOptions& opts);

// Writes the kubeconfig atomically with the requested mode. A bad mode -> BadRequest.
Result<void> write_kubeconfig(const KubeconfigOptions& opts);

// What a kubeconfig's current context points at (inline *-data fields only).
struct Kubeconfig {
  std::string server_url;
  std::string ca_pem;
  std::string client_cert_pem;
  std::string client_key_pem;
  std::string token;  // users[].user.token, if any
};
Result<Kubeconfig> read_kubeconfig(const std::string& path);
Result<Kubeconfig> parse_kubeconfig(const std::string& yaml_text);

}  // namespace kite::bootstrap
