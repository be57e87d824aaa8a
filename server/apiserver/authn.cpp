#include "server/apiserver/authn.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace kite::apiserver {

using base::Reason;

bool UserInfo::in_group(const std::string& g) const {
  return std::find(groups.begin(), groups.end(), g) != groups.end();
}

namespace {
// Splits one CSV line with optional double-quoted fields.
std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  out.push_back(cur);
  return out;
}
}  // namespace

base::Result<Authenticator> Authenticator::create(const std::string& token_file) {
  Authenticator a;
  if (token_file.empty()) return a;
  std::ifstream in(token_file);
  if (!in) return a;  // no file: no static tokens
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    auto f = split_csv(line);
    if (f.size() < 3 || f[0].empty() || f[1].empty()) {
      return base::error(Reason::BadRequest, token_file + ":" + std::to_string(n) +
                                                 ": want token,user,uid[,\"group1,group2\"]");
    }
    UserInfo u{f[1], f[2], {}};
    if (f.size() >= 4) {
      std::stringstream groups(f[3]);
      std::string g;
      while (std::getline(groups, g, ',')) {
        if (!g.empty()) u.groups.push_back(g);
      }
    }
    a.tokens_[f[0]] = std::move(u);
  }
  return a;
}

void Authenticator::add_token(const std::string& token, UserInfo user) { tokens_[token] = std::move(user); }

std::optional<UserInfo> Authenticator::authenticate(const base::http::Request& req) const {
  if (req.peer && !req.peer->common_name.empty()) {
    UserInfo u{req.peer->common_name, "", req.peer->organizations};
    u.groups.push_back("system:authenticated");
    return u;
  }
  std::string auth = req.header("authorization");
  static const std::string kBearer = "Bearer ";
  if (auth.size() > kBearer.size() && auth.compare(0, kBearer.size(), kBearer) == 0) {
    auto it = tokens_.find(auth.substr(kBearer.size()));
    if (it != tokens_.end()) {
      UserInfo u = it->second;
      u.groups.push_back("system:authenticated");
      return u;
    }
  }
  return std::nullopt;
}

base::Status MastersOnlyAuthorizer::authorize(const UserInfo& user, const RequestInfo& info) const {
  if (user.in_group("system:masters")) return {};
  if (!info.resource_request) return {};  // discovery, version, health: any authenticated user
  return forbidden(user, info);
}

base::Status forbidden(const UserInfo& user, const RequestInfo& info, const std::string& reason) {
  std::string what = info.resource;
  if (!info.group.empty()) what += "." + info.group;
  std::string msg = what + (info.name.empty() ? "" : " \"" + info.name + "\"") + " is forbidden: User \"" +
                    user.name + "\" cannot " + info.verb + " resource \"" + info.resource + "\"" +
                    (info.subresource.empty() ? "" : "/" + info.subresource) + " in API group \"" + info.group +
                    "\"" + (info.namespace_.empty() ? " at the cluster scope" : " in the namespace \"" + info.namespace_ + "\"");
  if (!reason.empty()) msg += ": " + reason;
  base::Status s(Reason::Forbidden, msg);
  s.with_details(info.name, info.group, info.resource);
  return s;
}

}  // namespace kite::apiserver

namespace kite::apiserver {

namespace {

bool one_of(const std::string& v, std::initializer_list<const char*> set) {
  for (const char* s : set) {
    if (v == s) return true;
  }
  return false;
}

bool is_read(const std::string& verb) { return one_of(verb, {"get", "list", "watch"}); }

}  // namespace

std::string NodeAuthorizer::node_name_of(const UserInfo& user) {
  static const std::string kPrefix = "system:node:";
  if (!user.in_group("system:nodes") || !user.name.starts_with(kPrefix)) return "";
  return user.name.substr(kPrefix.size());
}

base::Status NodeAuthorizer::authorize(const UserInfo& user, const RequestInfo& info) const {
  if (!info.resource_request) return {};
  const std::string node = node_name_of(user);
  if (node.empty()) return forbidden(user, info);
  const std::string& verb = info.verb;
  const std::string& res = info.resource;
  const std::string& sub = info.subresource;
  const bool core = info.group.empty();
  auto own_node = [&] { return info.name == node; };
  auto deny = [&](const std::string& why) {
    return forbidden(user, info, why.empty() ? "" : "node \"" + node + "\" " + why);
  };

  // Reads of what pods on the node refer to.
  if (sub.empty() && is_read(verb)) {
    if (core && one_of(res, {"nodes", "pods", "services", "endpoints", "configmaps", "secrets",
                             "persistentvolumeclaims", "persistentvolumes", "serviceaccounts"})) {
      return {};
    }
    if (info.group == "discovery.k8s.io" && res == "endpointslices") return {};
  }
  if (core && res == "nodes") {
    if (sub.empty() && verb == "create") return {};
    if ((sub.empty() || sub == "status") && one_of(verb, {"get", "update", "patch"})) {
      return own_node() ? base::Status{} : deny("may only modify its own Node object");
    }
    return deny("");
  }
  if (core && res == "pods") {
    if (sub == "status" && one_of(verb, {"get", "update", "patch"})) return {};
    if (sub.empty() && verb == "delete") return {};
    return deny("");
  }
  if ((core || info.group == "events.k8s.io") && res == "events" && sub.empty() &&
      one_of(verb, {"create", "patch", "update"})) {
    return {};
  }
  if (info.group == "coordination.k8s.io" && res == "leases" && sub.empty()) {
    if (info.namespace_ != "kube-node-lease") return deny("may only use Leases in kube-node-lease");
    if (verb == "create") return {};
    if (one_of(verb, {"get", "update", "patch"})) {
      return own_node() ? base::Status{} : deny("may only use the Lease named after itself");
    }
    return deny("");
  }
  if (core && res == "serviceaccounts" && sub == "token" && verb == "create") return {};
  if (info.group == "authentication.k8s.io" && res == "selfsubjectreviews" && verb == "create") return {};
  return deny("");
}

base::Status ClusterAuthorizer::authorize(const UserInfo& user, const RequestInfo& info) const {
  if (user.in_group("system:masters") || !info.resource_request) return {};
  // `kubectl auth whoami`: every authenticated user (Kubernetes' system:basic-user role).
  if (info.group == "authentication.k8s.io" && info.resource == "selfsubjectreviews" && info.verb == "create") return {};
  if (!NodeAuthorizer::node_name_of(user).empty()) return nodes_.authorize(user, info);
  return masters_.authorize(user, info);
}

}  // namespace kite::apiserver
