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
  std::string what = info.resource;
  if (!info.group.empty()) what += "." + info.group;
  std::string msg = what + (info.name.empty() ? "" : " \"" + info.name + "\"") + " is forbidden: User \"" +
                    user.name + "\" cannot " + info.verb + " resource \"" + info.resource + "\"" +
                    (info.subresource.empty() ? "" : "/" + info.subresource) + " in API group \"" + info.group +
                    "\"" + (info.namespace_.empty() ? " at the cluster scope" : " in the namespace \"" + info.namespace_ + "\"");
  base::Status s(Reason::Forbidden, msg);
  s.with_details(info.name, info.group, info.resource);
  return s;
}

}  // namespace kite::apiserver
