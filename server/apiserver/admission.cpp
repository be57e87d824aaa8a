#include "server/apiserver/admission.h"

#include "base/base64.h"

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

Result<void> admit_mutations(const Scope& s, json& obj, bool create) {
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
  }
  return {};
}

}  // namespace kite::apiserver
