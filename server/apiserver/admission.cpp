#include "server/apiserver/admission.h"

#include "base/base64.h"
#include "base/ids.h"

namespace kite::apiserver {

Result<void> admit_namespace(ServerState& st, const Scope& s, const std::string& ns) {
  if (!s.resource->namespaced) return {};
  auto ns_info = st.registry->find("", "v1", "namespaces");
  if (!ns_info) return {};
  std::string key = ns_info->key("", ns);
  json ns_obj;
  if (auto e = st.cache->get(key)) {
    ns_obj = json::parse(*e->bytes, nullptr, false);
  } else {
    // The cache may lag a namespace created a moment ago: ask the store.
    auto stored = read_object(st, *ns_info, key, ns);
    if (!stored) {
      if (stored.error().reason() == Reason::NotFound) {
        base::Status nf(Reason::NotFound, "namespaces \"" + ns + "\" not found");
        nf.with_details(ns, "", "namespaces");
        return base::error(nf);
      }
      return std::unexpected(stored.error());
    }
    ns_obj = std::move(stored->object);
  }
  if (ns_obj.is_object() && ns_obj["metadata"].contains("deletionTimestamp")) {
    base::Status f(Reason::Forbidden, s.resource->group_resource() + " is forbidden: unable to create new content in namespace " +
                                          ns + " because it is being terminated");
    f.with_details("", s.resource->group, s.resource->plural);
    return base::error(f);
  }
  return {};
}

namespace {

constexpr const char* kServiceAccountMountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

// The ServiceAccount admission's token volume: unless the pod opts out
// (automountServiceAccountToken: false; when the pod does not say, its ServiceAccount's field
// decides) or a container already mounts the service account path, a projected volume (bound
// token, kube-root-ca.crt, the namespace) mounted read-only at
// /var/run/secrets/kubernetes.io/serviceaccount in every container, as kube-apiserver adds it.
void add_service_account_volume(json& spec, const json& service_account) {
  const json& opt = spec.contains("automountServiceAccountToken") ? spec["automountServiceAccountToken"]
                    : service_account.is_object() ? service_account.value("automountServiceAccountToken", json())
                                                  : json();
  if (opt == false) return;
  for (const char* list : {"initContainers", "containers", "ephemeralContainers"}) {
    if (!spec.contains(list) || !spec[list].is_array()) continue;
    for (const auto& c : spec[list]) {
      if (!c.is_object() || !c.contains("volumeMounts") || !c["volumeMounts"].is_array()) continue;
      for (const auto& m : c["volumeMounts"]) {
        if (m.is_object() && m.value("mountPath", "") == kServiceAccountMountPath) return;
      }
    }
  }
  const std::string name = "kube-api-access-" + base::random_name_suffix();
  json volume = {
      {"name", name},
      {"projected",
       {{"defaultMode", 420},
        {"sources",
         json::array({{{"serviceAccountToken", {{"expirationSeconds", 3607}, {"path", "token"}}}},
                      {{"configMap", {{"name", "kube-root-ca.crt"}, {"items", json::array({{{"key", "ca.crt"}, {"path", "ca.crt"}}})}}}},
                      {{"downwardAPI",
                        {{"items", json::array({{{"path", "namespace"},
                                                 {"fieldRef", {{"apiVersion", "v1"}, {"fieldPath", "metadata.namespace"}}}}})}}}}})}}}};
  if (!spec.contains("volumes") || !spec["volumes"].is_array()) spec["volumes"] = json::array();
  spec["volumes"].push_back(volume);
  json mount = {{"name", name}, {"readOnly", true}, {"mountPath", kServiceAccountMountPath}};
  for (const char* list : {"initContainers", "containers"}) {
    if (!spec.contains(list) || !spec[list].is_array()) continue;
    for (auto& c : spec[list]) {
      if (!c.is_object()) continue;
      if (!c.contains("volumeMounts") || !c["volumeMounts"].is_array()) c["volumeMounts"] = json::array();
      c["volumeMounts"].push_back(mount);
    }
  }
}

// DefaultTolerationSeconds: a pod that does not already tolerate the not-ready / unreachable
// NoExecute taints tolerates them for 300 s, so taint-based eviction waits that long.
void add_default_toleration_seconds(json& spec) {
  constexpr int64_t kDefaultTolerationSeconds = 300;
  if (!spec.contains("tolerations") || !spec["tolerations"].is_array()) spec["tolerations"] = json::array();
  json& tolerations = spec["tolerations"];
  bool not_ready = false;
  bool unreachable = false;
  for (const auto& t : tolerations) {
    if (!t.is_object()) continue;
    std::string key = t.value("key", "");
    std::string effect = t.value("effect", "");
    if (effect != "NoExecute" && !effect.empty()) continue;
    not_ready = not_ready || key.empty() || key == "node.kubernetes.io/not-ready";
    unreachable = unreachable || key.empty() || key == "node.kubernetes.io/unreachable";
  }
  for (auto [key, present] : {std::pair{"node.kubernetes.io/not-ready", not_ready},
                              std::pair{"node.kubernetes.io/unreachable", unreachable}}) {
    if (present) continue;
    tolerations.push_back({{"key", key},
                           {"operator", "Exists"},
                           {"effect", "NoExecute"},
                           {"tolerationSeconds", kDefaultTolerationSeconds}});
  }
}

}  // namespace

Result<void> admit_mutations(ServerState& st, const Scope& s, json& obj, bool create) {
  const auto& r = *s.resource;
  if (r.group.empty() && r.kind == "Secret" && obj.contains("stringData")) {
    const json& sd = obj["stringData"];
    if (!sd.is_null() && !sd.is_object()) {
      return base::error(bad_request("Secret.stringData must be a map of strings"));
    }
    if (sd.is_object()) {
      for (auto it = sd.begin(); it != sd.end(); ++it) {
        if (!it.value().is_string()) {
          return base::error(bad_request("Secret.stringData[" + it.key() + "] must be a string"));
        }
        obj["data"][it.key()] = base::base64_encode(it.value().get<std::string>());
      }
    }
    obj.erase("stringData");
  }
  if (create && r.group.empty() && r.kind == "Pod" && obj.contains("spec") && obj["spec"].is_object()) {
    auto& spec = obj["spec"];
    std::string sa = spec.value("serviceAccountName", "");
    if (sa.empty()) sa = spec.value("serviceAccount", "");
    if (sa.empty()) sa = "default";
    spec["serviceAccountName"] = sa;
    spec["serviceAccount"] = sa;
    add_default_toleration_seconds(spec);
    json service_account;
    if (auto sa_res = st.registry->find("", "v1", "serviceaccounts"); sa_res && st.cache) {
      std::string ns = obj.value("metadata", json::object()).value("namespace", s.info.namespace_);
      const std::string key = sa_res->key(ns, sa);
      if (auto e = st.cache->get(key); e && e->bytes) {
        service_account = json::parse(*e->bytes, nullptr, false);
      } else if (auto stored = read_object(st, *sa_res, key, sa)) {  // the cache may lag a new one
        service_account = std::move(stored->object);
      }
    }
    add_service_account_volume(spec, service_account);
  }
  return {};
}

}  // namespace kite::apiserver
