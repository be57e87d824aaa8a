// Writing and reading kubeconfig files (see server/bootstrap/kubeconfig.h).
#include "server/bootstrap/kubeconfig.h"

#include <yaml-cpp/yaml.h>

#include "base/base64.h"
#include "base/pki.h"

namespace kite::bootstrap {

namespace {

using base::Reason;

YAML::Node find_named(const YAML::Node& list, const std::string& name) {
  if (!list.IsSequence()) return YAML::Node();
  for (const auto& item : list) {
    if (item["name"] && item["name"].as<std::string>() == name) return item;
  }
  return YAML::Node();
}

std::string scalar(const YAML::Node& n) { return n && n.IsScalar() ? n.Scalar() : std::string(); }

Result<std::string> decode_field(const YAML::Node& n, const std::string& field) {
  std::string text = scalar(n);
  if (text.empty()) return std::string();
  auto decoded = base::base64_decode(text);
  if (!decoded)
    return base::error(Reason::BadRequest, "kubeconfig " + field + ": not valid base64");
  return std::move(*decoded);
}

}  // namespace

Result<mode_t> parse_file_mode(std::string_view text) {
  std::string_view digits = text;
  if (digits.starts_with("0o") || digits.starts_with("0O")) digits.remove_prefix(2);
  if (digits.empty() || digits.size() > 4) {
    return base::error(Reason::BadRequest, "invalid file mode \"" + std::string(text) +
                                               "\": expected octal digits such as 644 or 0600");
  }
  mode_t mode = 0;
  for (char c : digits) {
    if (c < '0' || c > '7') {
      return base::error(Reason::BadRequest, "invalid file mode \"" + std::string(text) +
                                                 "\": expected octal digits such as 644 or 0600");
    }
    mode = static_cast<mode_t>(mode * 8 + static_cast<mode_t>(c - '0'));
  }
  return mode;
}

Result<std::string> render_kubeconfig(const KubeconfigOptions& opts) {
  if (opts.server_url.empty())
    return base::error(Reason::BadRequest, "kubeconfig: server URL is empty");
  if (opts.cluster_name.empty() || opts.user_name.empty()) {
    return base::error(Reason::BadRequest, "kubeconfig: cluster and user names must not be empty");
  }
  try {
    YAML::Emitter out;
    out << YAML::BeginMap;
    out << YAML::Key << "apiVersion" << YAML::Value << "v1";
    out << YAML::Key << "kind" << YAML::Value << "Config";
    out << YAML::Key << "clusters" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << opts.cluster_name;
    out << YAML::Key << "cluster" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "server" << YAML::Value << opts.server_url;
    if (!opts.ca_pem.empty()) {
      out << YAML::Key << "certificate-authority-data" << YAML::Value
          << base::base64_encode(opts.ca_pem);
    }
    out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
    out << YAML::Key << "contexts" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << opts.cluster_name;
    out << YAML::Key << "context" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "cluster" << YAML::Value << opts.cluster_name;
    out << YAML::Key << "user" << YAML::Value << opts.user_name;
    out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
    out << YAML::Key << "current-context" << YAML::Value << opts.cluster_name;
    out << YAML::Key << "preferences" << YAML::Value << YAML::BeginMap << YAML::EndMap;
    out << YAML::Key << "users" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << opts.user_name;
    out << YAML::Key << "user" << YAML::Value << YAML::BeginMap;
    if (!opts.client_cert_pem.empty()) {
      out << YAML::Key << "client-certificate-data" << YAML::Value
          << base::base64_encode(opts.client_cert_pem);
    }
    if (!opts.client_key_pem.empty()) {
      out << YAML::Key << "client-key-data" << YAML::Value
          << base::base64_encode(opts.client_key_pem);
    }
    out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
    out << YAML::EndMap;
    if (!out.good())
      return base::error(Reason::InternalError, std::string("kubeconfig: ") + out.GetLastError());
    return std::string(out.c_str()) + "\n";
  } catch (const YAML::Exception& e) {
    return base::error(Reason::InternalError, std::string("kubeconfig: ") + e.what());
  }
}

Result<void> write_kubeconfig(const KubeconfigOptions& opts) {
  if (opts.path.empty()) return base::error(Reason::BadRequest, "kubeconfig: path is empty");
  auto mode = parse_file_mode(opts.mode);
  if (!mode) return std::unexpected(mode.error());
  auto text = render_kubeconfig(opts);
  if (!text) return std::unexpected(text.error());
  return base::write_file_atomic(opts.path, *text, *mode);
}

Result<Kubeconfig> parse_kubeconfig(const std::string& yaml_text) {
  try {
    YAML::Node root = YAML::Load(yaml_text);
    if (!root.IsMap()) return base::error(Reason::BadRequest, "kubeconfig: not a YAML map");
    std::string context_name = scalar(root["current-context"]);
    YAML::Node context = find_named(root["contexts"], context_name);
    if (!context || !context["context"]) {
      return base::error(Reason::BadRequest,
                         "kubeconfig: current context \"" + context_name + "\" not found");
    }
    std::string cluster_name = scalar(context["context"]["cluster"]);
    std::string user_name = scalar(context["context"]["user"]);
    YAML::Node cluster = find_named(root["clusters"], cluster_name);
    if (!cluster || !cluster["cluster"]) {
      return base::error(Reason::BadRequest,
                         "kubeconfig: cluster \"" + cluster_name + "\" not found");
    }
    Kubeconfig kc;
    kc.server_url = scalar(cluster["cluster"]["server"]);
    auto ca = decode_field(cluster["cluster"]["certificate-authority-data"],
                           "certificate-authority-data");
    if (!ca) return std::unexpected(ca.error());
    kc.ca_pem = std::move(*ca);
    YAML::Node user = find_named(root["users"], user_name);
    if (user && user["user"]) {
      auto cert = decode_field(user["user"]["client-certificate-data"], "client-certificate-data");
      if (!cert) return std::unexpected(cert.error());
      auto key = decode_field(user["user"]["client-key-data"], "client-key-data");
      if (!key) return std::unexpected(key.error());
      kc.client_cert_pem = std::move(*cert);
      kc.client_key_pem = std::move(*key);
      kc.token = scalar(user["user"]["token"]);
    }
    return kc;
  } catch (const YAML::Exception& e) {
    return base::error(Reason::BadRequest, std::string("kubeconfig: ") + e.what());
  }
}

Result<Kubeconfig> read_kubeconfig(const std::string& path) {
  auto text = base::read_file(path);
  if (!text) return std::unexpected(text.error());
  return parse_kubeconfig(*text);
}

}  // namespace kite::bootstrap
