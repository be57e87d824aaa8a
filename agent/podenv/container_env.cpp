#include "agent/podenv/container_env.h"

#include <map>
#include <optional>

#include "agent/podenv/service_env.h"
#include "base/base64.h"
#include "storage/volumes/resource_field.h"
#include "storage/volumes/volume_paths.h"

namespace kite::agent {

namespace {

using json = nlohmann::json;
namespace res = client::resources;

base::Status bad(std::string message) { return base::Status(base::Reason::BadRequest, std::move(message)); }

// Variables in definition order; redefining one replaces its value in place.
class OrderedEnv {
 public:
  void set(const std::string& key, const std::string& value) {
    auto it = index_.find(key);
    if (it == index_.end()) {
      index_[key] = vars_.size();
      vars_.push_back({key, value});
      values_[key] = value;
    } else {
      vars_[it->second].value = value;
      values_[key] = value;
    }
  }
  const std::map<std::string, std::string>& values() const { return values_; }
  std::vector<KeyValue> take() { return std::move(vars_); }

 private:
  std::vector<KeyValue> vars_;
  std::map<std::string, size_t> index_;
  std::map<std::string, std::string> values_;
};

// Reads ConfigMaps / Secrets (decoded) of the pod's namespace once each.
class SourceCache {
 public:
  SourceCache(client::Client& client, std::string ns) : client_(client), ns_(std::move(ns)) {}

  // nullopt + ok: not found. The map: key -> value.
  base::Result<std::optional<std::map<std::string, std::string>>> config_map(const std::string& name) {
    return fetch(res::kConfigMaps, name, config_maps_, false);
  }
  base::Result<std::optional<std::map<std::string, std::string>>> secret(const std::string& name) {
    return fetch(res::kSecrets, name, secrets_, true);
  }

 private:
  using Entry = std::optional<std::map<std::string, std::string>>;
  base::Result<Entry> fetch(const client::ResourceRef& r, const std::string& name, std::map<std::string, Entry>& cache,
                            bool decode) {
    if (auto it = cache.find(name); it != cache.end()) return it->second;
    auto obj = client_.get(r, ns_, name);
    if (!obj) {
      if (obj.error().reason() != base::Reason::NotFound) return std::unexpected(obj.error());
      cache[name] = std::nullopt;
      return Entry{};
    }
    std::map<std::string, std::string> data;
    const json values = obj->value("data", json::object());
    for (auto& [k, v] : values.items()) {
      if (!v.is_string()) continue;
      if (decode) {
        auto decoded = base::base64_decode(v.get<std::string>());
        if (!decoded) return std::unexpected(bad("secret \"" + name + "\" key " + k + " is not valid base64"));
        data[k] = *decoded;
      } else {
        data[k] = v.get<std::string>();
      }
    }
    if (!decode) {
      const json binary = obj->value("binaryData", json::object());
      for (auto& [k, v] : binary.items()) {
        if (!v.is_string()) continue;
        if (auto decoded = base::base64_decode(v.get<std::string>())) data[k] = *decoded;
      }
    }
    cache[name] = data;
    return Entry{std::move(data)};
  }

  client::Client& client_;
  std::string ns_;
  std::map<std::string, Entry> config_maps_, secrets_;
};

std::string not_found_message(bool secret, const std::string& name) {
  return std::string(secret ? "secret" : "configmap") + " \"" + name + "\" not found";
}

base::Result<void> add_service_links(const json& pod, const EnvContext& context, OrderedEnv& env) {
  const std::string ns = pod["metadata"].value("namespace", "default");
  bool links = pod.value("spec", json::object()).value("enableServiceLinks", true);
  auto list_items = [&](const std::string& n) -> base::Result<std::vector<json>> {
    auto list = context.client->list(res::kServices, n);
    if (!list) return std::unexpected(list.error());
    return list->value("items", json::array()).get<std::vector<json>>();
  };
  std::vector<json> own, defaults;
  if (links) {
    auto r = list_items(ns);
    if (!r) return std::unexpected(r.error());
    own = std::move(*r);
  }
  if (ns == "default" && links) {
    defaults = own;
  } else {  // the master service's variables are always set, as kubelet does
    auto kubernetes = context.client->get(res::kServices, "default", "kubernetes");
    if (kubernetes) defaults.push_back(*kubernetes);
    else if (kubernetes.error().reason() != base::Reason::NotFound) return std::unexpected(kubernetes.error());
  }
  for (const auto& service : services_for_pod(own, defaults, ns, links)) {
    for (auto& kv : service_env_vars(service)) env.set(kv.key, kv.value);
  }
  return {};
}

base::Result<void> add_env_from(const json& container, SourceCache& sources, OrderedEnv& env) {
  for (const auto& from : container.value("envFrom", json::array())) {
    const std::string prefix = from.value("prefix", "");
    bool secret = from.contains("secretRef");
    const json ref = secret ? from["secretRef"] : from.value("configMapRef", json::object());
    const std::string name = ref.value("name", "");
    auto data = secret ? sources.secret(name) : sources.config_map(name);
    if (!data) return std::unexpected(data.error());
    if (!*data) {
      if (ref.value("optional", false)) continue;
      return std::unexpected(base::Status(base::Reason::NotFound, not_found_message(secret, name)));
    }
    for (const auto& [k, v] : **data) {
      std::string key = prefix + k;
      if (!is_env_var_name(key)) continue;  // kubelet skips invalid keys (and reports them in an event)
      env.set(key, v);
    }
  }
  return {};
}

// The value of one env entry; nullopt when an optional reference is missing (skip the var).
base::Result<std::optional<std::string>> env_value(const json& pod, const json& container, const json& var,
                                                   const EnvContext& context, SourceCache& sources, const OrderedEnv& env,
                                                   std::optional<json>& node_allocatable) {
  const std::string ns = pod["metadata"].value("namespace", "default");
  if (!var.contains("valueFrom")) {
    std::string value = var.value("value", "");
    return std::optional<std::string>(storage::expand_var_refs(value, env.values()));
  }
  const json& from = var["valueFrom"];
  for (bool secret : {false, true}) {
    const char* field = secret ? "secretKeyRef" : "configMapKeyRef";
    if (!from.contains(field)) continue;
    const json& ref = from[field];
    const std::string name = ref.value("name", "");
    const std::string key = ref.value("key", "");
    bool optional = ref.value("optional", false);
    auto data = secret ? sources.secret(name) : sources.config_map(name);
    if (!data) return std::unexpected(data.error());
    if (!*data) {
      if (optional) return std::optional<std::string>();
      return std::unexpected(base::Status(base::Reason::NotFound, not_found_message(secret, name)));
    }
    auto it = (*data)->find(key);
    if (it == (*data)->end()) {
      if (optional) return std::optional<std::string>();
      return std::unexpected(bad("couldn't find key " + key + " in " + (secret ? "Secret " : "ConfigMap ") + ns + "/" + name));
    }
    return std::optional<std::string>(it->second);
  }
  if (from.contains("fieldRef")) {
    std::string pod_ips;
    for (const auto& ip : context.pod_ips) pod_ips += (pod_ips.empty() ? "" : ",") + ip;
    std::map<std::string, std::string> overrides = {{"status.podIP", context.pod_ip},
                                                    {"status.podIPs", pod_ips.empty() ? context.pod_ip : pod_ips},
                                                    {"status.hostIP", context.host_ip},
                                                    {"status.hostIPs", context.host_ip},
                                                    {"spec.nodeName", context.node_name}};
    auto value = storage::pod_field_value(pod, from["fieldRef"].value("fieldPath", ""), overrides);
    if (!value) return std::unexpected(value.error());
    return std::optional<std::string>(*value);
  }
  if (from.contains("resourceFieldRef")) {
    if (!node_allocatable) {
      node_allocatable = json::object();
      if (!context.node_name.empty()) {
        auto node = context.client->get(res::kNodes, "", context.node_name);
        if (node) *node_allocatable = node->value("status", json::object()).value("allocatable", json::object());
      }
    }
    auto value = storage::resource_field_value(pod, from["resourceFieldRef"], container.value("name", ""), *node_allocatable);
    if (!value) return std::unexpected(value.error());
    return std::optional<std::string>(*value);
  }
  return std::unexpected(bad("env " + var.value("name", "") + ": unsupported valueFrom"));
}

base::Result<std::vector<KeyValue>> resolve(const json& pod, const json& container, const EnvContext& context) {
  if (!context.client) return std::unexpected(base::Status(base::Reason::InternalError, "EnvContext has no client"));
  OrderedEnv env;
  if (auto ok = add_service_links(pod, context, env); !ok) return std::unexpected(ok.error());
  SourceCache sources(*context.client, pod["metadata"].value("namespace", "default"));
  if (auto ok = add_env_from(container, sources, env); !ok) return std::unexpected(ok.error());
  std::optional<json> node_allocatable;
  for (const auto& var : container.value("env", json::array())) {
    auto value = env_value(pod, container, var, context, sources, env, node_allocatable);
    if (!value) return std::unexpected(value.error());
    if (*value) env.set(var.value("name", ""), **value);
  }
  return env.take();
}

}  // namespace

base::Result<std::vector<KeyValue>> resolve_container_env(const json& pod, const json& container,
                                                          const EnvContext& context) {
  try {
    return resolve(pod, container, context);
  } catch (const json::exception& e) {
    return std::unexpected(base::Status(base::Reason::BadRequest, std::string("malformed pod: ") + e.what()));
  }
}

}  // namespace kite::agent
