#include "storage/volumes/volume_sources.h"

#include "base/base64.h"
#include "storage/volumes/resource_field.h"
#include "storage/volumes/volume_paths.h"

namespace kite::storage {

namespace {

using json = nlohmann::json;
namespace res = client::resources;

base::Status fail(std::string message) { return base::Status(base::Reason::BadRequest, std::move(message)); }

std::string pod_namespace(const SourceContext& ctx) {
  return ctx.pod->value("metadata", json::object()).value("namespace", "default");
}

int mode_of(const json& item, const json& source, std::optional<int> default_mode) {
  if (item.is_object() && item.contains("mode") && item["mode"].is_number_integer()) return item["mode"].get<int>();
  if (default_mode) return *default_mode;
  return item_mode(json::object(), source);
}

// data (key -> bytes) projected through items/defaultMode as configMap and secret share it.
base::Result<Payload> project_keys(const std::map<std::string, std::string>& data, const json& source,
                                   std::optional<int> default_mode, const std::string& missing_key_prefix) {
  Payload payload;
  bool optional = source.value("optional", false);
  if (!source.contains("items") || !source["items"].is_array() || source["items"].empty()) {
    for (const auto& [key, value] : data) {
      if (!check_payload_path(key)) continue;
      payload[key] = {value, mode_of(json::object(), source, default_mode)};
    }
    return payload;
  }
  for (const auto& item : source["items"]) {
    std::string key = item.value("key", "");
    std::string path = item.value("path", "");
    auto it = data.find(key);
    if (it == data.end()) {
      if (optional) continue;
      return std::unexpected(fail(missing_key_prefix + key));
    }
    if (auto ok = check_payload_path(path); !ok) return std::unexpected(ok.error());
    payload[path] = {it->second, mode_of(item, source, default_mode)};
  }
  return payload;
}

}  // namespace

base::Result<Payload> configmap_payload(const SourceContext& ctx, const json& source, std::optional<int> default_mode) {
  std::string name = source.value("name", "");
  auto cm = ctx.client->get(res::kConfigMaps, pod_namespace(ctx), name);
  std::map<std::string, std::string> data;
  if (!cm) {
    if (cm.error().reason() != base::Reason::NotFound) return std::unexpected(cm.error());
    if (name == "kube-root-ca.crt" && !ctx.cluster_ca_pem.empty()) {
      data["ca.crt"] = ctx.cluster_ca_pem;
    } else if (source.value("optional", false)) {
      return Payload{};
    } else {
      return std::unexpected(base::Status(base::Reason::NotFound, "configmap \"" + name + "\" not found"));
    }
  } else {
    const json data_map = cm->value("data", json::object());
    for (auto& [k, v] : data_map.items()) {
      if (v.is_string()) data[k] = v.get<std::string>();
    }
    const json binary_map = cm->value("binaryData", json::object());
    for (auto& [k, v] : binary_map.items()) {
      if (!v.is_string()) continue;
      auto decoded = base::base64_decode(v.get<std::string>());
      if (decoded) data[k] = *decoded;
    }
  }
  return project_keys(data, source, default_mode, "configmap references non-existent config key: ");
}

base::Result<Payload> secret_payload(const SourceContext& ctx, const json& source, std::optional<int> default_mode) {
  std::string name = source.contains("secretName") ? source.value("secretName", "") : source.value("name", "");
  auto secret = ctx.client->get(res::kSecrets, pod_namespace(ctx), name);
  if (!secret) {
    if (secret.error().reason() != base::Reason::NotFound) return std::unexpected(secret.error());
    if (source.value("optional", false)) return Payload{};
    return std::unexpected(base::Status(base::Reason::NotFound, "secret \"" + name + "\" not found"));
  }
  std::map<std::string, std::string> data;
  const json data_map = secret->value("data", json::object());
  for (auto& [k, v] : data_map.items()) {
    if (!v.is_string()) continue;
    auto decoded = base::base64_decode(v.get<std::string>());
    if (!decoded) return std::unexpected(fail("secret \"" + name + "\" key " + k + " is not valid base64"));
    data[k] = *decoded;
  }
  const json string_map = secret->value("stringData", json::object());
  for (auto& [k, v] : string_map.items()) {
    if (v.is_string()) data[k] = v.get<std::string>();
  }
  return project_keys(data, source, default_mode, "references non-existent secret key: ");
}

base::Result<Payload> downward_payload(const SourceContext& ctx, const json& source, std::optional<int> default_mode) {
  Payload payload;
  for (const auto& item : source.value("items", json::array())) {
    std::string path = item.value("path", "");
    if (auto ok = check_payload_path(path); !ok) return std::unexpected(ok.error());
    base::Result<std::string> value = std::string();
    if (item.contains("fieldRef")) {
      value = pod_field_value(*ctx.pod, item["fieldRef"].value("fieldPath", ""));
    } else if (item.contains("resourceFieldRef")) {
      value = resource_field_value(*ctx.pod, item["resourceFieldRef"], "", ctx.node_allocatable);
    } else {
      return std::unexpected(fail("downwardAPI item " + path + " has neither fieldRef nor resourceFieldRef"));
    }
    if (!value) return std::unexpected(value.error());
    payload[path] = {*value, mode_of(item, source, default_mode)};
  }
  return payload;
}

base::Result<Payload> projected_payload(const SourceContext& ctx, const json& source) {
  Payload payload;
  int default_mode = item_mode(json::object(), source);
  for (const auto& projection : source.value("sources", json::array())) {
    base::Result<Payload> part = Payload{};
    if (projection.contains("configMap")) {
      part = configmap_payload(ctx, projection["configMap"], default_mode);
    } else if (projection.contains("secret")) {
      part = secret_payload(ctx, projection["secret"], default_mode);
    } else if (projection.contains("downwardAPI")) {
      part = downward_payload(ctx, projection["downwardAPI"], default_mode);
    } else if (projection.contains("serviceAccountToken")) {
      const json& token_source = projection["serviceAccountToken"];
      std::string path = token_source.value("path", "");
      if (auto ok = check_payload_path(path); !ok) return std::unexpected(ok.error());
      if (!ctx.fetch_token) return std::unexpected(fail("service account tokens are not available"));
      auto token = ctx.fetch_token(token_source);
      if (!token) return std::unexpected(token.error());
      part = Payload{{path, {*token, default_mode}}};
    } else {
      return std::unexpected(fail("unsupported projected volume source " +
                                  (projection.empty() ? std::string("{}") : projection.begin().key())));
    }
    if (!part) return std::unexpected(part.error());
    for (auto& [p, f] : *part) payload[p] = std::move(f);
  }
  return payload;
}

}  // namespace kite::storage
