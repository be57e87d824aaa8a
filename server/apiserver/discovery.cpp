#include "server/apiserver/discovery.h"

#include <sys/utsname.h>

#include "base/ids.h"

namespace kite::apiserver {

using json = nlohmann::json;

namespace {

json group_version(const std::string& group, const std::string& version) {
  return {{"groupVersion", group.empty() ? version : group + "/" + version}, {"version", version}};
}

json group_entry(const std::string& group, const std::vector<std::string>& versions) {
  json vs = json::array();
  for (const auto& v : versions) vs.push_back(group_version(group, v));
  return {{"name", group}, {"versions", vs}, {"preferredVersion", group_version(group, versions.front())}};
}

// The kind, group/version and verbs Kubernetes lists for a subresource.
json subresource_entry(const api::ResourceInfo& r, const std::string& sub) {
  json e = {{"name", r.plural + "/" + sub}, {"singularName", ""}, {"namespaced", r.namespaced}};
  if (sub == "status") {
    e["kind"] = r.kind;
    e["verbs"] = {"get", "patch", "update"};
  } else if (sub == "scale") {
    e["group"] = "autoscaling";
    e["version"] = "v1";
    e["kind"] = "Scale";
    e["verbs"] = {"get", "patch", "update"};
  } else if (sub == "binding") {
    e["kind"] = "Binding";
    e["verbs"] = {"create"};
  } else if (sub == "eviction") {
    e["group"] = "policy";
    e["version"] = "v1";
    e["kind"] = "Eviction";
    e["verbs"] = {"create"};
  } else if (sub == "token") {
    e["group"] = "authentication.k8s.io";
    e["version"] = "v1";
    e["kind"] = "TokenRequest";
    e["verbs"] = {"create"};
  } else if (sub == "log") {
    e["kind"] = "Pod";
    e["verbs"] = {"get"};
  } else if (sub == "exec") {
    e["kind"] = "PodExecOptions";
    e["verbs"] = {"create", "get"};
  } else if (sub == "attach") {
    e["kind"] = "PodAttachOptions";
    e["verbs"] = {"create", "get"};
  } else if (sub == "portforward") {
    e["kind"] = "PodPortForwardOptions";
    e["verbs"] = {"create", "get"};
  } else if (sub == "finalize") {
    e["kind"] = "Namespace";
    e["verbs"] = {"update"};
  } else {
    e["kind"] = r.kind;
    e["verbs"] = {"get"};
  }
  return e;
}

}  // namespace

json api_versions(const std::string& server_address) {
  return {{"kind", "APIVersions"},
          {"versions", {"v1"}},
          {"serverAddressByClientCIDRs", {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", server_address}}}}};
}

json api_group_list(const api::Registry& registry) {
  json groups = json::array();
  for (const auto& [group, versions] : registry.groups()) {
    if (group.empty() || versions.empty()) continue;
    groups.push_back(group_entry(group, versions));
  }
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
}

std::optional<json> api_group(const api::Registry& registry, const std::string& group) {
  for (const auto& [g, versions] : registry.groups()) {
    if (g == group && !versions.empty()) {
      json e = group_entry(g, versions);
      e["kind"] = "APIGroup";
      e["apiVersion"] = "v1";
      return e;
    }
  }
  return std::nullopt;
}

std::optional<json> api_resource_list(const api::Registry& registry, const std::string& group,
                                      const std::string& version) {
  json resources = json::array();
  bool found = false;
  for (const auto& r : registry.all()) {
    if (r->group != group || r->version != version) continue;
    found = true;
    json e = {{"name", r->plural}, {"singularName", r->singular}, {"namespaced", r->namespaced},
              {"kind", r->kind},   {"verbs", r->verbs}};
    if (!r->short_names.empty()) e["shortNames"] = r->short_names;
    if (!r->categories.empty()) e["categories"] = r->categories;
    resources.push_back(std::move(e));
    for (const auto& sub : r->subresources) resources.push_back(subresource_entry(*r, sub));
  }
  if (!found) return std::nullopt;
  return json{{"kind", "APIResourceList"},
              {"apiVersion", "v1"},
              {"groupVersion", group.empty() ? version : group + "/" + version},
              {"resources", resources}};
}

json version_info() {
  struct utsname u {};
  uname(&u);
  std::string machine = u.machine;
  std::string arch = machine == "x86_64" ? "amd64" : machine == "aarch64" ? "arm64" : machine;
  return {{"major", "1"},
          {"minor", "32"},
          {"gitVersion", "v1.32.0+kite"},
          {"gitCommit", ""},
          {"gitTreeState", "clean"},
          {"buildDate", std::string(__DATE__) + " " + __TIME__},
          {"goVersion", "none (C++)"},
          {"compiler", "g++"},
          {"platform", "linux/" + arch}};
}

}  // namespace kite::apiserver
