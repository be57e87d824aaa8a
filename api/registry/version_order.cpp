#include "api/registry/version_order.h"

#include <regex>
#include <tuple>

namespace kite::api {
namespace {

// (kind rank: 3 GA, 2 beta, 1 alpha, 0 other; major; minor)
std::tuple<int, long, long> version_rank(const std::string& v) {
  static const std::regex re("^v([0-9]+)(?:(alpha|beta)([0-9]+))?$");
  std::smatch m;
  if (!std::regex_match(v, m, re)) return {0, 0, 0};
  long major = std::stol(m[1].str());
  if (!m[2].matched) return {3, major, 0};
  return {m[2].str() == "beta" ? 2 : 1, major, std::stol(m[3].str())};
}

constexpr const char* kGroupOrder[] = {
    "",
    "apiregistration.k8s.io",
    "apps",
    "events.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "networking.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "node.k8s.io",
    "discovery.k8s.io",
    "flowcontrol.apiserver.k8s.io",
};

int group_rank(const std::string& g) {
  int i = 0;
  for (const char* known : kGroupOrder) {
    if (g == known) return i;
    ++i;
  }
  return i;
}

}  // namespace

bool version_preferred(const std::string& a, const std::string& b) {
  auto ra = version_rank(a), rb = version_rank(b);
  if (std::get<0>(ra) == 0 && std::get<0>(rb) == 0) return a < b;
  return ra > rb;
}

bool group_preferred(const std::string& a, const std::string& b) {
  int ra = group_rank(a), rb = group_rank(b);
  if (ra != rb) return ra < rb;
  return a < b;
}

}  // namespace kite::api
