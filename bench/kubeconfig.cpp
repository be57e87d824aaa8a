#include "bench/kubeconfig.h"

#include <charconv>
#include <fstream>
#include <sstream>

#include "base/base64.h"

namespace kite::bench {

namespace {

using base::Reason;

std::string trim(std::string s) {
  size_t b = s.find_first_not_of(" \t\"'");
  size_t e = s.find_last_not_of(" \t\r\"'");
  if (b == std::string::npos) return "";
  return s.substr(b, e - b + 1);
}

// The value of the first line whose key (after indentation) is `key`, or "".
std::string value_of(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::string t = trim(line);
    if (t.rfind(key + ":", 0) == 0) return trim(t.substr(key.size() + 1));
  }
  return "";
}

}  // namespace

base::Result<KubeconfigCredentials> read_kubeconfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return base::error(Reason::NotFound, "cannot read kubeconfig " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();

  KubeconfigCredentials c;
  std::string server = value_of(text, "server");
  const std::string scheme = "https://";
  if (server.rfind(scheme, 0) != 0) return base::error(Reason::BadRequest, "kubeconfig server is not https: " + server);
  std::string hostport = server.substr(scheme.size());
  if (auto slash = hostport.find('/'); slash != std::string::npos) hostport.resize(slash);
  auto colon = hostport.rfind(':');
  if (colon == std::string::npos) return base::error(Reason::BadRequest, "kubeconfig server has no port: " + server);
  c.host = hostport.substr(0, colon);
  if (c.host.size() > 2 && c.host.front() == '[') c.host = c.host.substr(1, c.host.size() - 2);
  std::string port = hostport.substr(colon + 1);
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), c.port);
  if (ec != std::errc() || end != port.data() + port.size() || c.port == 0)
    return base::error(Reason::BadRequest, "kubeconfig server has a bad port: " + server);

  struct Field {
    const char* key;
    std::string* out;
  } fields[] = {{"certificate-authority-data", &c.ca_pem},
                {"client-certificate-data", &c.cert_pem},
                {"client-key-data", &c.key_pem}};
  for (auto& f : fields) {
    auto decoded = base::base64_decode(value_of(text, f.key));
    if (!decoded || decoded->empty())
      return base::error(Reason::BadRequest, std::string("kubeconfig lacks ") + f.key);
    *f.out = std::move(*decoded);
  }
  return c;
}

}  // namespace kite::bench
