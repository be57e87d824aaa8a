// The OpenAPI v3 index and group-version documents, and the Swagger 2.0 document.
#include <set>

#include "api/openapi/openapi.h"
#include "api/openapi/paths.h"
#include "api/openapi/schema_emitter.h"

namespace kite::api {

using openapi::Dialect;

std::string openapi_v3_gv_key(const std::string& group, const std::string& version) {
  return group.empty() ? "api/" + version : "apis/" + group + "/" + version;
}

std::string openapi_hash(std::string_view bytes) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  static const char* kHex = "0123456789ABCDEF";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kHex[h & 0xF];
    h >>= 4;
  }
  return out;
}

json openapi_v3_group_version(const std::vector<ResourceInfoPtr>& resources,
                              const std::string& group, const std::string& version) {
  std::vector<ResourceInfoPtr> mine;
  for (const auto& r : resources)
    if (r && r->group == group && r->version == version) mine.push_back(r);
  json doc = {{"openapi", "3.0.0"},
              {"info", {{"title", "Kubernetes"}, {"version", "kite"}}},
              {"paths", json::object()},
              {"components", {{"schemas", json::object()}}}};
  openapi::add_paths(Dialect::V3, mine, doc["paths"]);
  openapi::add_definitions(Dialect::V3, mine, doc["components"]["schemas"]);
  return doc;
}

json openapi_v3_root(const std::vector<ResourceInfoPtr>& resources) {
  std::set<std::pair<std::string, std::string>> gvs;
  for (const auto& r : resources)
    if (r) gvs.insert({r->group, r->version});
  json paths = json::object();
  for (const auto& [g, v] : gvs) {
    std::string key = openapi_v3_gv_key(g, v);
    std::string hash = openapi_hash(openapi_v3_group_version(resources, g, v).dump());
    paths[key] = {{"serverRelativeURL", "/openapi/v3/" + key + "?hash=" + hash}};
  }
  return {{"paths", paths}};
}

json openapi_v2_json(const std::vector<ResourceInfoPtr>& resources) {
  json doc = {{"swagger", "2.0"},
              {"info", {{"title", "Kubernetes"}, {"version", "kite"}}},
              {"paths", json::object()},
              {"definitions", json::object()}};
  openapi::add_paths(Dialect::V2, resources, doc["paths"]);
  openapi::add_definitions(Dialect::V2, resources, doc["definitions"]);
  return doc;
}

std::string openapi_v2_protobuf(const std::vector<ResourceInfoPtr>& resources) {
  return encode_openapi_v2_document(openapi_v2_json(resources));
}

json openapi_v3_root(const Registry& registry) { return openapi_v3_root(registry.all()); }
json openapi_v3_group_version(const Registry& registry, const std::string& group,
                              const std::string& version) {
  return openapi_v3_group_version(registry.all(), group, version);
}
json openapi_v2_json(const Registry& registry) { return openapi_v2_json(registry.all()); }
std::string openapi_v2_protobuf(const Registry& registry) {
  return openapi_v2_protobuf(registry.all());
}

}  // namespace kite::api
