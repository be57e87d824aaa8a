#include "api/openapi/paths.h"

#include <algorithm>
#include <cctype>

namespace kite::api::openapi {
namespace {

bool has_verb(const ResourceInfo& info, const char* verb) {
  return std::find(info.verbs.begin(), info.verbs.end(), verb) != info.verbs.end();
}
bool has_sub(const ResourceInfo& info, const char* sub) {
  return std::find(info.subresources.begin(), info.subresources.end(), sub) != info.subresources.end();
}

// "CoreV1", "AppsV1", "RbacAuthorizationV1", "ExampleComV1".
std::string gv_id(const ResourceInfo& info) {
  std::string group = info.group.empty() ? "core" : info.group;
  if (group.ends_with(".k8s.io")) group.resize(group.size() - 7);
  std::string out;
  bool up = true;
  for (char c : group) {
    if (c == '.' || c == '-') {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  std::string v = info.version;
  if (!v.empty()) v[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(v[0])));
  return out + v;
}

json param(Dialect d, const std::string& name, const std::string& in, const std::string& type,
           const std::string& description, bool required = false) {
  json p = {{"name", name}, {"in", in}, {"description", description}};
  if (required) p["required"] = true;
  if (d == Dialect::V3) p["schema"] = {{"type", type}, {"uniqueItems", true}};
  else {
    p["type"] = type;
    p["uniqueItems"] = true;
  }
  return p;
}

json query(Dialect d, const char* name, const char* type, const char* description) {
  return param(d, name, "query", type, description);
}

json write_params(Dialect d, bool with_force) {
  json ps = json::array();
  ps.push_back(query(d, "dryRun", "string",
                     "When present, indicates that modifications should not be persisted. Valid "
                     "values are: - All: all dry run stages will be processed"));
  ps.push_back(query(d, "fieldManager", "string",
                     "fieldManager is a name associated with the actor or entity that is making "
                     "these changes."));
  ps.push_back(query(d, "fieldValidation", "string",
                     "fieldValidation instructs the server on how to handle objects in the request "
                     "(POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - "
                     "Ignore: unknown fields are dropped silently. - Warn: unknown fields are "
                     "dropped and a warning is sent back for each. - Strict: the request fails "
                     "with a BadRequest error naming the unknown fields."));
  if (with_force)
    ps.push_back(query(d, "force", "boolean",
                       "Force is going to \"force\" Apply requests. It means user will re-acquire "
                       "conflicting fields owned by other people."));
  return ps;
}

json list_params(Dialect d) {
  json ps = json::array();
  ps.push_back(query(d, "allowWatchBookmarks", "boolean", "allowWatchBookmarks requests watch events with type \"BOOKMARK\"."));
  ps.push_back(query(d, "continue", "string", "The continue option should be set when retrieving more results from the server."));
  ps.push_back(query(d, "fieldSelector", "string", "A selector to restrict the list of returned objects by their fields."));
  ps.push_back(query(d, "labelSelector", "string", "A selector to restrict the list of returned objects by their labels."));
  ps.push_back(query(d, "limit", "integer", "limit is a maximum number of responses to return for a list call."));
  ps.push_back(query(d, "resourceVersion", "string", "resourceVersion sets a constraint on what resource versions a request may be served from."));
  ps.push_back(query(d, "resourceVersionMatch", "string", "resourceVersionMatch determines how resourceVersion is applied to list calls."));
  ps.push_back(query(d, "timeoutSeconds", "integer", "Timeout for the list/watch call."));
  ps.push_back(query(d, "watch", "boolean", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications."));
  return ps;
}

json response(Dialect d, const std::string& ref_name, const char* code_desc) {
  json schema = {{"$ref", ref_to(d, ref_name)}};
  if (d == Dialect::V2) return {{"description", code_desc}, {"schema", schema}};
  json content = json::object();
  for (const char* mt : {"application/json", "application/yaml", "application/vnd.kubernetes.protobuf"})
    content[mt] = {{"schema", schema}};
  return {{"description", code_desc}, {"content", content}};
}

struct OpSpec {
  const char* verb_id;   // operationId verb: list, create, read, replace, patch, delete, deletecollection
  const char* action;    // x-kubernetes-action
  const char* summary;
};

class PathBuilder {
 public:
  PathBuilder(Dialect d, const ResourceInfo& info) : d_(d), info_(info) {
    def_ = definition_name(info);
    list_def_ = list_definition_name(info);
    prefix_ = info.group.empty() ? "/api/" + info.version : "/apis/" + info.group + "/" + info.version;
  }

  void build(json& paths) {
    const bool ns = info_.namespaced;
    const std::string base = prefix_ + (ns ? "/namespaces/{namespace}/" : "/") + info_.plural;
    const std::string nsd = ns ? "Namespaced" : "";
    json& coll = paths[base];
    if (has_verb(info_, "list")) coll["get"] = op({"list", "list", "list or watch objects of kind "}, nsd, list_def_, list_params(d_), false);
    if (has_verb(info_, "create")) coll["post"] = op({"create", "post", "create "}, nsd, def_, write_params(d_, false), true);
    if (has_verb(info_, "deletecollection")) coll["delete"] = op({"deletecollection", "deletecollection", "delete collection of "}, nsd, "", list_params(d_), false);
    coll["parameters"] = path_params(false);
    json& item = paths[base + "/{name}"];
    if (has_verb(info_, "get")) item["get"] = op({"read", "get", "read the specified "}, nsd, def_, json::array(), false);
    if (has_verb(info_, "update")) item["put"] = op({"replace", "put", "replace the specified "}, nsd, def_, write_params(d_, false), true);
    if (has_verb(info_, "patch")) item["patch"] = patch_op(nsd, "", def_);
    if (has_verb(info_, "delete")) item["delete"] = op({"delete", "delete", "delete "}, nsd, def_, json::array(), false);
    item["parameters"] = path_params(true);
    if (has_sub(info_, "status")) {
      json& st = paths[base + "/{name}/status"];
      st["get"] = op({"read", "get", "read status of the specified "}, nsd + "", def_, json::array(), false, "Status");
      st["put"] = op({"replace", "put", "replace status of the specified "}, nsd, def_, write_params(d_, false), true, "Status");
      st["patch"] = patch_op(nsd, "Status", def_);
      st["parameters"] = path_params(true);
    }
    if (ns && has_verb(info_, "list")) {
      json& all = paths[prefix_ + "/" + info_.plural];
      all["get"] = op({"list", "list", "list or watch objects of kind "}, "", list_def_, list_params(d_), false, "ForAllNamespaces");
      all["parameters"] = json::array();
    }
  }

 private:
  json path_params(bool with_name) {
    json ps = json::array();
    if (with_name) ps.push_back(param(d_, "name", "path", "string", "name of the " + info_.kind, true));
    if (info_.namespaced)
      ps.push_back(param(d_, "namespace", "path", "string", "object name and auth scope, such as for teams and projects", true));
    ps.push_back(query(d_, "pretty", "string", "If 'true', then the output is pretty printed."));
    return ps;
  }

  json op(const OpSpec& s, const std::string& nsd, const std::string& response_def, json params,
          bool body, const std::string& suffix = "") {
    json o = json::object();
    o["description"] = s.summary + info_.kind;
    o["operationId"] = std::string(s.verb_id) + gv_id(info_) + (suffix == "ForAllNamespaces" ? "" : nsd) +
                       info_.kind + suffix;
    o["tags"] = json::array({info_.group.empty() ? "core_" + info_.version : info_.group + "_" + info_.version});
    if (body) add_body(o, params, {"application/json", "application/yaml"});
    o["parameters"] = std::move(params);
    std::string resp = response_def.empty() ? list_def_ : response_def;
    o["responses"] = {{"200", response(d_, resp, "OK")}, {"401", {{"description", "Unauthorized"}}}};
    if (std::string(s.action) == "post" || std::string(s.action) == "put")
      o["responses"]["201"] = response(d_, resp, "Created");
    if (d_ == Dialect::V2) {
      o["consumes"] = json::array({"*/*"});
      o["produces"] = json::array({"application/json", "application/yaml"});
      o["schemes"] = json::array({"https"});
    }
    o["x-kubernetes-action"] = s.action;
    o["x-kubernetes-group-version-kind"] = gvk(info_.group, info_.version, info_.kind);
    return o;
  }

  json patch_op(const std::string& nsd, const std::string& suffix, const std::string& def) {
    json params = write_params(d_, true);
    std::vector<std::string> types = {"application/apply-patch+yaml", "application/json-patch+json",
                                      "application/merge-patch+json"};
    if (!info_.custom) types.push_back("application/strategic-merge-patch+json");
    json o = op({"patch", "patch", suffix.empty() ? "partially update the specified " : "partially update status of the specified "},
                nsd, def, json::array(), false, suffix);
    add_body(o, params, types, /*patch=*/true);
    o["parameters"] = std::move(params);
    if (d_ == Dialect::V2) o["consumes"] = types;
    return o;
  }

  void add_body(json& o, json& params, const std::vector<std::string>& types, bool patch = false) {
    json schema = patch ? json{{"type", "object"}, {"description", "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body."}}
                        : json{{"$ref", ref_to(d_, def_)}};
    if (d_ == Dialect::V3) {
      json content = json::object();
      for (const auto& t : types) content[t] = {{"schema", schema}};
      o["requestBody"] = {{"content", content}, {"required", true}};
    } else {
      params.insert(params.begin(), json{{"name", "body"}, {"in", "body"}, {"required", true}, {"schema", schema}});
    }
  }

  Dialect d_;
  const ResourceInfo& info_;
  std::string def_, list_def_, prefix_;
};

}  // namespace

void add_paths(Dialect d, const std::vector<ResourceInfoPtr>& resources, json& paths) {
  for (const auto& info : resources)
    if (info) PathBuilder(d, *info).build(paths);
}

}  // namespace kite::api::openapi
