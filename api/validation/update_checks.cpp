// Immutability rules of updates (the fields Kubernetes refuses to change).
#include "api/validation/checks.h"
#include "api/validation/quantity.h"
#include "api/validation/validate.h"

namespace kite::api {

using validation::field;
using validation::FieldErrors;
using validation::str;

namespace {

const json& at(const json& obj, const char* key) {
  static const json kNull;
  const json* v = field(obj, key);
  return v ? *v : kNull;
}

void immutable(const json& old_v, const json& new_v, const std::string& path, FieldErrors& errs) {
  if (old_v != new_v) errs.invalid(path, new_v, "field is immutable");
}

void check_meta(const ResourceInfo& info, const json& old_obj, const json& new_obj, FieldErrors& errs) {
  const json& om = at(old_obj, "metadata");
  const json& nm = at(new_obj, "metadata");
  immutable(str(om, "name"), str(nm, "name"), "metadata.name", errs);
  if (info.namespaced) immutable(str(om, "namespace"), str(nm, "namespace"), "metadata.namespace", errs);
  // uid and creationTimestamp may be omitted by the client (the server copies them back).
  for (const char* k : {"uid", "creationTimestamp"}) {
    std::string nv = str(nm, k);
    if (!nv.empty() && nv != str(om, k))
      immutable(str(om, k), nv, std::string("metadata.") + k, errs);
  }
}

// Pod spec: only images, activeDeadlineSeconds, added tolerations and (from negative)
// terminationGracePeriodSeconds may change.
void check_pod(const json& old_obj, const json& new_obj, FieldErrors& errs) {
  json old_spec = at(old_obj, "spec");
  const json& new_spec = at(new_obj, "spec");
  if (!old_spec.is_object() || !new_spec.is_object()) return;
  for (const char* list : {"containers", "initContainers"}) {
    const json* nl = field(new_spec, list);
    json* ol = old_spec.contains(list) ? &old_spec[list] : nullptr;
    if (!nl || !ol || !nl->is_array() || !ol->is_array() || nl->size() != ol->size()) continue;
    for (size_t i = 0; i < nl->size(); ++i)
      if ((*nl)[i].contains("image") && (*ol)[i].is_object()) (*ol)[i]["image"] = (*nl)[i]["image"];
  }
  if (new_spec.contains("activeDeadlineSeconds")) old_spec["activeDeadlineSeconds"] = new_spec["activeDeadlineSeconds"];
  else old_spec.erase("activeDeadlineSeconds");
  // Tolerations: every old one must still be present; new ones may be added.
  const json& ot = at(old_spec, "tolerations");
  const json& nt = at(new_spec, "tolerations");
  bool superset = true;
  if (ot.is_array())
    for (const auto& t : ot)
      if (!nt.is_array() || std::find(nt.begin(), nt.end(), t) == nt.end()) superset = false;
  if (superset) {
    if (nt.is_null()) old_spec.erase("tolerations");
    else old_spec["tolerations"] = nt;
  }
  if (const json* g = field(old_spec, "terminationGracePeriodSeconds");
      g && g->is_number() && g->get<double>() < 0 && new_spec.contains("terminationGracePeriodSeconds"))
    old_spec["terminationGracePeriodSeconds"] = new_spec["terminationGracePeriodSeconds"];
  // The scheduler binds through the binding subresource; an update may carry the same nodeName.
  if (str(old_spec, "nodeName").empty() && new_spec.contains("nodeName"))
    old_spec["nodeName"] = new_spec["nodeName"];
  if (old_spec != new_spec)
    errs.forbidden("spec",
                   "pod updates may not change fields other than `spec.containers[*].image`,"
                   "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` "
                   "(only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
                   "(allow it to be set to 1 if it was previously negative)");
}

void check_statefulset(const json& old_obj, const json& new_obj, FieldErrors& errs) {
  json o = at(old_obj, "spec"), n = at(new_obj, "spec");
  if (!o.is_object() || !n.is_object()) return;
  for (const char* k : {"replicas", "ordinals", "template", "updateStrategy",
                        "persistentVolumeClaimRetentionPolicy", "minReadySeconds"}) {
    o.erase(k);
    n.erase(k);
  }
  if (o != n)
    errs.forbidden("spec",
                   "updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                   "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
                   "'minReadySeconds' are forbidden");
}

void check_pvc(const json& old_obj, const json& new_obj, FieldErrors& errs) {
  json o = at(old_obj, "spec"), n = at(new_obj, "spec");
  if (!o.is_object() || !n.is_object()) return;
  const json* old_storage = nullptr;
  const json* new_storage = nullptr;
  if (const json* r = field(o, "resources"); r && field(*r, "requests"))
    old_storage = field((*r)["requests"], "storage");
  if (const json* r = field(n, "resources"); r && field(*r, "requests"))
    new_storage = field((*r)["requests"], "storage");
  if (old_storage && new_storage) {
    auto ov = validation::parse_quantity(*old_storage), nv = validation::parse_quantity(*new_storage);
    if (ov && nv && *nv < *ov)
      errs.forbidden("spec.resources.requests.storage", "field can not be less than previous value");
  }
  o.erase("resources");
  n.erase("resources");
  o.erase("volumeAttributesClassName");
  n.erase("volumeAttributesClassName");
  // The binder sets volumeName once.
  if (str(o, "volumeName").empty()) {
    o.erase("volumeName");
    n.erase("volumeName");
  }
  if (o != n)
    errs.forbidden("spec",
                   "spec is immutable after creation except resources.requests and "
                   "volumeAttributesClassName for bound claims");
}

void check_immutable_data(const json& old_obj, const json& new_obj, FieldErrors& errs,
                          std::initializer_list<const char*> keys) {
  if (at(old_obj, "immutable") != true) return;
  if (at(new_obj, "immutable") != true)
    errs.forbidden("immutable", "field is immutable when `immutable` is set");
  for (const char* k : keys)
    if (at(old_obj, k) != at(new_obj, k))
      errs.forbidden(k, "field is immutable when `immutable` is set");
}

}  // namespace

base::Result<void> validate_update(const ResourceInfo& info, const json& old_obj,
                                   const json& new_obj) {
  FieldErrors errs;
  check_meta(info, old_obj, new_obj, errs);
  const std::string& k = info.kind;
  if (!info.custom) {
    if (k == "Pod") {
      check_pod(old_obj, new_obj, errs);
    } else if (k == "Deployment" || k == "ReplicaSet" || k == "DaemonSet") {
      immutable(at(at(old_obj, "spec"), "selector"), at(at(new_obj, "spec"), "selector"),
                "spec.selector", errs);
    } else if (k == "StatefulSet") {
      check_statefulset(old_obj, new_obj, errs);
    } else if (k == "Job") {
      const json& os = at(old_obj, "spec");
      const json& ns = at(new_obj, "spec");
      immutable(at(os, "selector"), at(ns, "selector"), "spec.selector", errs);
      immutable(at(os, "template"), at(ns, "template"), "spec.template", errs);
      immutable(at(os, "completionMode"), at(ns, "completionMode"), "spec.completionMode", errs);
    } else if (k == "Service") {
      std::string o = str(at(old_obj, "spec"), "clusterIP");
      std::string n = str(at(new_obj, "spec"), "clusterIP");
      // Setting it from empty is allowed; an empty new value means "keep" (the server copies it).
      if (!o.empty() && !n.empty() && o != n) immutable(o, n, "spec.clusterIP", errs);
    } else if (k == "PersistentVolumeClaim") {
      check_pvc(old_obj, new_obj, errs);
    } else if (k == "Secret") {
      check_immutable_data(old_obj, new_obj, errs, {"data"});
      if (str(old_obj, "type") != str(new_obj, "type") && !str(new_obj, "type").empty())
        immutable(str(old_obj, "type"), str(new_obj, "type"), "type", errs);
    } else if (k == "ConfigMap") {
      check_immutable_data(old_obj, new_obj, errs, {"data", "binaryData"});
    } else if (k == "CustomResourceDefinition") {
      immutable(str(at(old_obj, "spec"), "scope"), str(at(new_obj, "spec"), "scope"), "spec.scope", errs);
    }
  }
  if (errs.empty()) return {};
  std::string name = str(at(new_obj, "metadata"), "name");
  return base::error(errs.to_status(info, name));
}

}  // namespace kite::api
