// Service account tokens, as kube-apiserver issues and checks them.
//
// Issuing: `POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token` with an
// authentication.k8s.io/v1 TokenRequest (spec.audiences, spec.expirationSeconds: default 3600,
// at least 600; spec.boundObjectRef: a Pod or Secret that must exist with that uid) answers 201
// with status.token and status.expirationTimestamp. The token is an ES256 JWT (base/jwt.h)
// signed with the server's service-account key (<data-dir>/server/tls/service.key), with
// kube-apiserver's claims: iss, sub "system:serviceaccount:<ns>:<name>", aud (default: the
// issuer), iat/nbf/exp, and "kubernetes.io" {namespace, serviceaccount{name,uid}, pod|secret}.
// A node (system:node:<name>) only gets tokens bound to a pod bound to it, for that pod's
// service account (Kubernetes' NodeRestriction); anything else is Forbidden.
//
// Authenticating: a bearer token kite signed, not expired, whose audiences include the issuer,
// whose ServiceAccount (and bound object, if any) still exist with the same uid, is the user
// system:serviceaccount:<ns>:<name> in system:serviceaccounts and system:serviceaccounts:<ns>.
//
// Thread-safe (immutable after construction; objects are read from the watch cache).
#pragma once

#include <optional>
#include <string>

#include "server/apiserver/authn.h"
#include "server/apiserver/rest.h"

namespace kite::apiserver {

inline constexpr const char* kServiceAccountIssuer = "https://kubernetes.default.svc.cluster.local";

class ServiceAccountTokens {
 public:
  // `key_pem` empty: tokens are not available (TokenRequest answers 503 saying so).
  explicit ServiceAccountTokens(std::string key_pem) : key_pem_(std::move(key_pem)) {}

  Response issue(ServerState& st, Scope& s) const;
  std::optional<UserInfo> authenticate(ServerState& st, const std::string& token) const;

 private:
  std::string key_pem_;
};

}  // namespace kite::apiserver
