// Authentication and authorization of API requests.
//
// Authenticator: a verified TLS client certificate (CN = user, O = groups) or a bearer token
// from the static token file (Kubernetes' token-auth-file CSV format:
// token,user,uid,"group1,group2"). Anything else is anonymous, which the API server answers
// with 401. Authorizer: the seam for RBAC; for now members of system:masters may do
// everything and everybody else is refused with 403 (health and version endpoints are open to
// every authenticated user). Both are immutable after construction and thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/http/types.h"
#include "base/status.h"
#include "server/apiserver/request_info.h"

namespace kite::apiserver {

struct UserInfo {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;
  bool in_group(const std::string& g) const;
};

class Authenticator {
 public:
  // Loads the token file when `token_file` is non-empty and exists. Malformed lines are errors.
  static base::Result<Authenticator> create(const std::string& token_file);
  void add_token(const std::string& token, UserInfo user);
  // nullopt: no (valid) credentials.
  std::optional<UserInfo> authenticate(const base::http::Request& req) const;

 private:
  std::map<std::string, UserInfo> tokens_;
};

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  // Ok to allow; a Forbidden Status (with Kubernetes' wording) to refuse.
  virtual base::Status authorize(const UserInfo& user, const RequestInfo& info) const = 0;
};

// system:masters may do anything; nobody else may do anything yet (RBAC comes later).
class MastersOnlyAuthorizer : public Authorizer {
 public:
  base::Status authorize(const UserInfo& user, const RequestInfo& info) const override;
};

}  // namespace kite::apiserver
