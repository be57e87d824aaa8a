#include "server/apiserver/service_account_tokens.h"

#include <chrono>

#include "base/ids.h"
#include "base/jwt.h"
#include "base/log.h"

namespace kite::apiserver {

namespace {

using Clock = std::chrono::system_clock;
constexpr int64_t kDefaultExpirationSeconds = 3600;
constexpr int64_t kMinExpirationSeconds = 600;
constexpr int64_t kClockSkewSeconds = 60;

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
}

// The object at `key` from the watch cache (null when absent or unreadable).
std::optional<json> cached_object(ServerState& st, const api::ResourceInfo& r, const std::string& ns,
                                  const std::string& name) {
  if (!st.cache) return std::nullopt;
  auto entry = st.cache->get(r.key(ns, name));
  if (!entry || !entry->bytes) return std::nullopt;
  auto obj = json::parse(*entry->bytes, nullptr, false);
  if (!obj.is_object()) return std::nullopt;
  return obj;
}

std::string uid_of(const json& obj) { return obj.value("metadata", json::object()).value("uid", ""); }

base::Status invalid_request(const std::string& name, const std::string& field, const std::string& why) {
  base::Status s(base::Reason::Invalid, "TokenRequest.authentication.k8s.io \"" + name + "\" is invalid: " + field +
                                            ": " + why);
  s.with_details(name, "authentication.k8s.io", "TokenRequest");
  return s;
}

}  // namespace

Response ServiceAccountTokens::issue(ServerState& st, Scope& s) const {
  if (s.info.verb != "create") return status_response(method_not_supported(s));
  if (key_pem_.empty()) {
    return status_response(base::Status(base::Reason::ServiceUnavailable,
                                        "service account tokens are not available: the server has no signing key"));
  }
  auto body = decode_body(s.req, s.registry);
  if (!body) return status_response(body.error());
  if (!body->is_object()) return status_response(bad_request("TokenRequest must be a JSON object"));
  const std::string& ns = s.info.namespace_;
  const std::string& name = s.info.name;
  auto sa_res = st.registry->find("", "v1", "serviceaccounts");
  auto sa = read_object(st, *sa_res, sa_res->key(ns, name), name);
  if (!sa) return status_response(sa.error());

  const json spec = body->value("spec", json::object());
  int64_t expiration = kDefaultExpirationSeconds;
  if (spec.contains("expirationSeconds") && !spec["expirationSeconds"].is_null()) {
    if (!spec["expirationSeconds"].is_number_integer()) {
      return status_response(invalid_request(name, "spec.expirationSeconds", "must be an integer"));
    }
    expiration = spec["expirationSeconds"].get<int64_t>();
    if (expiration < kMinExpirationSeconds) {
      return status_response(invalid_request(name, "spec.expirationSeconds", "may not specify a duration less than 10 minutes"));
    }
    if (expiration > int64_t{1} << 32) {
      return status_response(invalid_request(name, "spec.expirationSeconds", "may not specify a duration larger than 2^32 seconds"));
    }
  }
  json audiences = spec.value("audiences", json::array());
  if (!audiences.is_array()) return status_response(invalid_request(name, "spec.audiences", "must be a list of strings"));
  for (const auto& a : audiences) {
    if (!a.is_string()) return status_response(invalid_request(name, "spec.audiences", "must be a list of strings"));
  }
  if (audiences.empty()) audiences.push_back(kServiceAccountIssuer);

  json k8s = {{"namespace", ns}, {"serviceaccount", {{"name", name}, {"uid", uid_of(sa->object)}}}};
  const json ref = spec.value("boundObjectRef", json());
  // NodeRestriction: a node only gets tokens bound to a pod on itself, for that pod's account.
  const std::string node = NodeAuthorizer::node_name_of(s.user);
  auto node_refused = [&](const std::string& why) {
    base::Status f(base::Reason::Forbidden, "serviceaccounts \"" + name + "\" is forbidden: node \"" + node + "\" " + why);
    f.with_details(name, "", "serviceaccounts");
    return status_response(f);
  };
  if (!node.empty() && (!ref.is_object() || ref.value("kind", "") != "Pod")) {
    return node_refused("may only request tokens bound to a pod");
  }
  if (ref.is_object()) {
    std::string kind = ref.value("kind", "");
    std::string ref_name = ref.value("name", "");
    std::string ref_uid = ref.value("uid", "");
    if (kind != "Pod" && kind != "Secret") {
      return status_response(invalid_request(name, "spec.boundObjectRef.kind", "must be one of: Pod, Secret"));
    }
    auto r = st.registry->find("", "v1", kind == "Pod" ? "pods" : "secrets");
    auto bound = read_object(st, *r, r->key(ns, ref_name), ref_name);
    if (!bound) return status_response(bound.error());
    if (!ref_uid.empty() && uid_of(bound->object) != ref_uid) {
      base::Status c(base::Reason::Conflict, "the UID in the bound object reference (" + ref_uid +
                                                 ") does not match the UID in record. The object might have been deleted and then recreated");
      return status_response(c);
    }
    if (!node.empty()) {
      const json pod_spec = bound->object.value("spec", json::object());
      if (pod_spec.value("nodeName", "") != node) return node_refused("may only request tokens for pods bound to it");
      if (pod_spec.value("serviceAccountName", "default") != name) {
        return node_refused("may only request tokens for the service account of the pod");
      }
    }
    k8s[kind == "Pod" ? "pod" : "secret"] = {{"name", ref_name}, {"uid", uid_of(bound->object)}};
  }

  const int64_t now = unix_now();
  json claims = {{"iss", kServiceAccountIssuer},
                 {"sub", "system:serviceaccount:" + ns + ":" + name},
                 {"aud", audiences},
                 {"iat", now},
                 {"nbf", now},
                 {"exp", now + expiration},
                 {"kubernetes.io", k8s}};
  auto token = base::jwt_sign(key_pem_, claims);
  if (!token) return status_response(token.error());

  json out = {{"kind", "TokenRequest"},
              {"apiVersion", "authentication.k8s.io/v1"},
              {"metadata", {{"name", name}, {"namespace", ns}, {"creationTimestamp", nullptr}}},
              {"spec", {{"audiences", audiences}, {"expirationSeconds", expiration}, {"boundObjectRef", ref.is_object() ? ref : json()}}},
              {"status",
               {{"token", *token},
                {"expirationTimestamp", base::rfc3339(Clock::time_point(std::chrono::seconds(now + expiration)))}}}};
  return json_response(201, out);
}

std::optional<UserInfo> ServiceAccountTokens::authenticate(ServerState& st, const std::string& token) const {
  if (key_pem_.empty()) return std::nullopt;
  auto claims = base::jwt_verify(key_pem_, token);
  if (!claims) return std::nullopt;
  const json& c = *claims;
  if (c.value("iss", "") != kServiceAccountIssuer) return std::nullopt;
  const int64_t now = unix_now();
  if (!c.contains("exp") || !c["exp"].is_number_integer() || c["exp"].get<int64_t>() + kClockSkewSeconds < now) {
    return std::nullopt;
  }
  if (c.contains("nbf") && c["nbf"].is_number_integer() && c["nbf"].get<int64_t>() - kClockSkewSeconds > now) {
    return std::nullopt;
  }
  bool audience_ok = false;
  const json aud = c.value("aud", json());
  if (aud.is_string()) audience_ok = aud == kServiceAccountIssuer;
  if (aud.is_array()) {
    for (const auto& a : aud) audience_ok = audience_ok || a == kServiceAccountIssuer;
  }
  if (!audience_ok) return std::nullopt;

  const json k8s = c.value("kubernetes.io", json::object());
  std::string ns = k8s.value("namespace", "");
  const json sa_claim = k8s.value("serviceaccount", json::object());
  std::string name = sa_claim.value("name", "");
  if (ns.empty() || name.empty()) return std::nullopt;
  // The ServiceAccount, and the object the token is bound to, must still be the same ones.
  auto sa = cached_object(st, *st.registry->find("", "v1", "serviceaccounts"), ns, name);
  if (!sa || uid_of(*sa) != sa_claim.value("uid", "")) return std::nullopt;
  for (const char* kind : {"pod", "secret"}) {
    if (!k8s.contains(kind)) continue;
    const json ref = k8s[kind];
    auto bound = cached_object(st, *st.registry->find("", "v1", std::string(kind) + "s"), ns, ref.value("name", ""));
    if (!bound || uid_of(*bound) != ref.value("uid", "")) return std::nullopt;
  }
  UserInfo u;
  u.name = "system:serviceaccount:" + ns + ":" + name;
  u.uid = sa_claim.value("uid", "");
  u.groups = {"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"};
  return u;
}

}  // namespace kite::apiserver
