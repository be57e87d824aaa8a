// Pod spec checks: containers, ports, volumes and mounts, policies.
#include <map>
#include <set>

#include "api/validation/checks.h"
#include "api/validation/name_rules.h"
#include "api/validation/quantity.h"

namespace kite::api::validation {
namespace {

void check_enum(const json& obj, const char* key, const std::string& path,
                const std::vector<std::string>& allowed, FieldErrors& errs) {
  const json* v = field(obj, key);
  if (!v) return;
  for (const auto& a : allowed)
    if (*v == a) return;
  errs.not_supported(child_path(path, key), *v, allowed);
}

void check_container_ports(const json& c, const std::string& path, FieldErrors& errs) {
  const json* ports = field(c, "ports");
  if (!ports || !ports->is_array()) return;
  std::set<std::string> names;
  for (size_t i = 0; i < ports->size(); ++i) {
    const json& p = (*ports)[i];
    std::string pp = index_path(child_path(path, "ports"), i);
    if (const json* cp = field(p, "containerPort")) check_port(*cp, child_path(pp, "containerPort"), errs);
    else errs.required(child_path(pp, "containerPort"));
    if (const json* hp = field(p, "hostPort"); hp && !(hp->is_number_integer() && hp->get<int64_t>() == 0))
      check_port(*hp, child_path(pp, "hostPort"), errs);
    check_enum(p, "protocol", pp, {"SCTP", "TCP", "UDP"}, errs);
    std::string name = str(p, "name");
    if (!name.empty()) {
      for (const auto& e : port_name_errors(name)) errs.invalid(child_path(pp, "name"), name, e);
      if (!names.insert(name).second) errs.duplicate(child_path(pp, "name"), name);
    }
  }
}

void check_resources(const json& c, const std::string& path, FieldErrors& errs) {
  const json* res = field(c, "resources");
  if (!res) return;
  const json* req = field(*res, "requests");
  const json* lim = field(*res, "limits");
  for (const json* m : {req, lim}) {
    if (!m || !m->is_object()) continue;
    std::string mp = child_path(child_path(path, "resources"), m == req ? "requests" : "limits");
    for (auto it = m->begin(); it != m->end(); ++it) {
      auto q = parse_quantity(*it);
      if (!q) errs.invalid(key_path(mp, it.key()), *it, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
      else if (*q < 0) errs.invalid(key_path(mp, it.key()), *it, "must be greater than or equal to 0");
    }
  }
  if (!req || !lim || !req->is_object() || !lim->is_object()) return;
  for (auto it = req->begin(); it != req->end(); ++it) {
    if (!lim->contains(it.key())) continue;
    auto r = parse_quantity(*it), l = parse_quantity((*lim)[it.key()]);
    if (r && l && *r > *l)
      errs.invalid(key_path(child_path(child_path(path, "resources"), "requests"), it.key()), *it,
                   "must be less than or equal to " + it.key() + " limit of " +
                       ((*lim)[it.key()].is_string() ? (*lim)[it.key()].get<std::string>()
                                                     : (*lim)[it.key()].dump()));
  }
}

void check_container(const json& c, const std::string& path, bool need_image,
                     const std::set<std::string>& volumes, std::set<std::string>& names,
                     FieldErrors& errs) {
  std::string name = str(c, "name");
  if (name.empty()) {
    errs.required(child_path(path, "name"));
  } else {
    for (const auto& e : dns1123_label_errors(name)) errs.invalid(child_path(path, "name"), name, e);
    if (!names.insert(name).second) errs.duplicate(child_path(path, "name"), name);
  }
  std::string image = str(c, "image");
  if (image.empty()) {
    if (need_image) errs.required(child_path(path, "image"));
  } else if (image.front() == ' ' || image.back() == ' ') {
    errs.invalid(child_path(path, "image"), image, "must not have leading or trailing whitespace");
  }
  check_enum(c, "imagePullPolicy", path, {"Always", "IfNotPresent", "Never"}, errs);
  check_enum(c, "terminationMessagePolicy", path, {"FallbackToLogsOnError", "File"}, errs);
  check_container_ports(c, path, errs);
  check_resources(c, path, errs);
  if (const json* env = field(c, "env"); env && env->is_array()) {
    for (size_t i = 0; i < env->size(); ++i)
      if (str((*env)[i], "name").empty())
        errs.required(child_path(index_path(child_path(path, "env"), i), "name"));
  }
  if (const json* mounts = field(c, "volumeMounts"); mounts && mounts->is_array()) {
    std::set<std::string> paths;
    for (size_t i = 0; i < mounts->size(); ++i) {
      const json& m = (*mounts)[i];
      std::string mp = index_path(child_path(path, "volumeMounts"), i);
      std::string vname = str(m, "name");
      if (vname.empty()) errs.required(child_path(mp, "name"));
      else if (!volumes.count(vname))
        errs.add("FieldValueNotFound", child_path(mp, "name"), "Not found: " + render_value(vname));
      std::string mount_path = str(m, "mountPath");
      if (mount_path.empty()) errs.required(child_path(mp, "mountPath"));
      else if (!paths.insert(mount_path).second)
        errs.invalid(child_path(mp, "mountPath"), mount_path, "must be unique");
    }
  }
}

}  // namespace

void check_port(const json& v, const std::string& path, FieldErrors& errs) {
  if (!v.is_number_integer()) return;  // type errors come from the schema walk
  int64_t p = v.get<int64_t>();
  if (p < 1 || p > 65535) errs.invalid(path, v, "must be between 1 and 65535, inclusive");
}

void check_pod_spec(const json& spec, const std::string& path, FieldErrors& errs,
                    const std::set<std::string>& extra_volumes) {
  if (!spec.is_object()) {
    errs.required(path);
    return;
  }
  std::set<std::string> volumes = extra_volumes;
  if (const json* vols = field(spec, "volumes"); vols && vols->is_array()) {
    for (size_t i = 0; i < vols->size(); ++i) {
      std::string vp = child_path(index_path(child_path(path, "volumes"), i), "name");
      std::string name = str((*vols)[i], "name");
      if (name.empty()) {
        errs.required(vp);
        continue;
      }
      for (const auto& e : dns1123_label_errors(name)) errs.invalid(vp, name, e);
      if (!volumes.insert(name).second) errs.duplicate(vp, name);
    }
  }
  std::set<std::string> names;
  const json* containers = field(spec, "containers");
  if (!containers || !containers->is_array() || containers->empty()) {
    errs.required(child_path(path, "containers"));
  } else {
    for (size_t i = 0; i < containers->size(); ++i)
      check_container((*containers)[i], index_path(child_path(path, "containers"), i), true,
                      volumes, names, errs);
  }
  if (const json* init = field(spec, "initContainers"); init && init->is_array()) {
    for (size_t i = 0; i < init->size(); ++i)
      check_container((*init)[i], index_path(child_path(path, "initContainers"), i), true,
                      volumes, names, errs);
  }
  check_enum(spec, "restartPolicy", path, {"Always", "Never", "OnFailure"}, errs);
  check_enum(spec, "dnsPolicy", path, {"ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"},
             errs);
  if (const json* g = field(spec, "terminationGracePeriodSeconds"); g && g->is_number() && g->get<double>() < 0)
    errs.invalid(child_path(path, "terminationGracePeriodSeconds"), *g, "must be >= 0");
  if (const json* a = field(spec, "activeDeadlineSeconds"); a && a->is_number() && a->get<double>() < 1)
    errs.invalid(child_path(path, "activeDeadlineSeconds"), *a, "must be between 1 and 2147483647, inclusive");
  if (const json* sel = field(spec, "nodeSelector"))
    check_labels(*sel, child_path(path, "nodeSelector"), errs);
}

void check_pod_template(const json& tmpl, const std::string& path,
                        const std::vector<std::string>& restart_policies, FieldErrors& errs,
                        const std::set<std::string>& extra_volumes) {
  if (const json* labels = field(tmpl, "metadata") ? field(tmpl["metadata"], "labels") : nullptr)
    check_labels(*labels, child_path(path, "metadata.labels"), errs);
  const json* spec = field(tmpl, "spec");
  if (!spec) {
    errs.required(child_path(path, "spec"));
    return;
  }
  std::string spec_path = child_path(path, "spec");
  check_pod_spec(*spec, spec_path, errs, extra_volumes);
  if (restart_policies.empty()) return;
  std::string rp = str(*spec, "restartPolicy");
  if (rp.empty()) return;  // defaulting fills it in before validation
  for (const auto& allowed : restart_policies)
    if (rp == allowed) return;
  errs.not_supported(child_path(spec_path, "restartPolicy"), rp, restart_policies);
}

}  // namespace kite::api::validation
