// CustomResourceDefinition checks: names, scope, served and storage versions.
#include "api/validation/checks.h"
#include "api/validation/name_rules.h"

namespace kite::api::validation {

void check_crd(const json& obj, Findings& f) {
  auto& errs = f.errors;
  static const json kEmpty = json::object();
  const json* spec = field(obj, "spec");
  if (!spec) spec = &kEmpty;
  const json* meta = field(obj, "metadata");
  std::string name = meta ? str(*meta, "name") : "";
  std::string group = str(*spec, "group");
  const json* names = field(*spec, "names");
  if (!names) names = &kEmpty;
  std::string plural = str(*names, "plural");
  if (group.empty()) {
    errs.required("spec.group");
  } else {
    for (const auto& e : dns1123_subdomain_errors(group)) errs.invalid("spec.group", group, e);
    if (group.find('.') == std::string::npos)
      errs.invalid("spec.group", group, "should be a domain with at least one dot");
  }
  if (plural.empty()) errs.required("spec.names.plural");
  else for (const auto& e : dns1123_label_errors(plural)) errs.invalid("spec.names.plural", plural, e);
  if (str(*names, "kind").empty()) errs.required("spec.names.kind");
  if (const json* singular = field(*names, "singular"); singular && singular->is_string())
    for (const auto& e : dns1123_label_errors(singular->get<std::string>()))
      errs.invalid("spec.names.singular", *singular, e);
  if (!group.empty() && !plural.empty() && name != plural + "." + group)
    errs.invalid("metadata.name", name, "must be spec.names.plural+\".\"+spec.group");
  std::string scope = str(*spec, "scope");
  if (scope != "Cluster" && scope != "Namespaced")
    errs.not_supported("spec.scope", scope, {"Cluster", "Namespaced"});
  const json* versions = field(*spec, "versions");
  if (!versions || !versions->is_array() || versions->empty()) {
    errs.invalid("spec.versions", versions ? *versions : json::array(), "must have exactly one version marked as storage version");
    return;
  }
  int storage = 0, served = 0;
  for (size_t i = 0; i < versions->size(); ++i) {
    const json& v = (*versions)[i];
    std::string vp = index_path("spec.versions", i);
    std::string vname = str(v, "name");
    if (vname.empty()) errs.required(child_path(vp, "name"));
    else for (const auto& e : dns1123_label_errors(vname)) errs.invalid(child_path(vp, "name"), vname, e);
    if (const json* st = field(v, "storage"); st && *st == true) ++storage;
    if (const json* sv = field(v, "served"); sv && *sv == true) ++served;
  }
  if (storage != 1)
    errs.invalid("spec.versions", *versions, "must have exactly one version marked as storage version");
  if (served == 0)
    errs.invalid("spec.versions", *versions, "must have at least one version marked as served");
}

void check_kind(const ResourceInfo& info, const json& obj, Findings& f) {
  const std::string& k = info.kind;
  if (info.custom) return;
  if (k == "Pod") {
    const json* spec = field(obj, "spec");
    if (!spec) f.errors.required("spec");
    else check_pod_spec(*spec, "spec", f.errors);
  } else if (k == "PodTemplate") {
    if (const json* t = field(obj, "template")) check_pod_template(*t, "template", {}, f.errors);
  } else if (k == "Deployment" || k == "ReplicaSet" || k == "StatefulSet" || k == "DaemonSet" ||
             k == "Job" || k == "CronJob" || k == "ReplicationController") {
    check_workload(info, obj, f);
  } else if (k == "Service") {
    check_service(obj, f);
  } else if (k == "ConfigMap") {
    check_config_map(obj, f);
  } else if (k == "Secret") {
    check_secret(obj, f);
  } else if (k == "CustomResourceDefinition") {
    check_crd(obj, f);
  }
}

}  // namespace kite::api::validation
