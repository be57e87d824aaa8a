// Authentication and authorization of API requests.
//
// Authenticator: a verified TLS client certificate (CN = user, O = groups) or a bearer token
// from the static token file (Kubernetes' token-auth-file CSV format:
// token,user,uid,"group1,group2"). The API server then tries service account tokens
// (service_account_tokens.h). Anything else is anonymous, which the API server answers with
// 401. Authorizer: the seam for RBAC; for now members of system:masters may do everything,
// node agents (system:node:<name> in system:nodes) what a kubelet needs (NodeAuthorizer), and
// everybody else is refused with 403 (health, version, discovery and `kubectl auth whoami` are
// open to every authenticated user). All are immutable after construction and thread-safe.
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

// What a node agent may do, as Kubernetes' Node authorizer + system:node role allow it, for
// users named "system:node:<name>" in group "system:nodes" (anyone else: Forbidden):
//   - get/list/watch nodes, pods, services, endpoints, endpointslices, configmaps, secrets,
//     persistentvolumeclaims, persistentvolumes, serviceaccounts;
//   - create nodes; get/update/patch its own node and nodes/status;
//   - get/update/patch pods/status and delete pods (whether the pod is bound to this node is
//     not checked here: the request does not say);
//   - create/patch events (core and events.k8s.io);
//   - create leases in kube-node-lease, get/update/patch the one named after the node;
//   - create serviceaccounts/token; create selfsubjectreviews (`kubectl auth whoami`).
// Names are checked where the request carries one (creates carry it only in the body).
class NodeAuthorizer : public Authorizer {
 public:
  base::Status authorize(const UserInfo& user, const RequestInfo& info) const override;
  // "<name>" for "system:node:<name>" in system:nodes, "" for anyone else.
  static std::string node_name_of(const UserInfo& user);
};

// The API server's authorizer: system:masters may do anything, node agents what
// NodeAuthorizer allows, other users only non-resource requests (health, version, discovery).
class ClusterAuthorizer : public Authorizer {
 public:
  base::Status authorize(const UserInfo& user, const RequestInfo& info) const override;

 private:
  MastersOnlyAuthorizer masters_;
  NodeAuthorizer nodes_;
};

// The Forbidden Status worded as Kubernetes words it for `user` and `info`.
base::Status forbidden(const UserInfo& user, const RequestInfo& info, const std::string& reason = "");

}  // namespace kite::apiserver
