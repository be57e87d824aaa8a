// Service spec checks: type, ports, clusterIP, session affinity.
#include <set>

#include "api/validation/checks.h"
#include "api/validation/name_rules.h"

namespace kite::api::validation {

void check_service(const json& obj, Findings& f) {
  auto& errs = f.errors;
  static const json kEmpty = json::object();
  const json* spec = field(obj, "spec");
  if (!spec) spec = &kEmpty;
  static const std::vector<std::string> kTypes = {"ClusterIP", "ExternalName", "LoadBalancer",
                                                  "NodePort"};
  std::string type = str(*spec, "type");
  if (type.empty()) type = "ClusterIP";
  bool type_ok = false;
  for (const auto& t : kTypes) type_ok |= t == type;
  if (!type_ok) errs.not_supported("spec.type", type, kTypes);

  std::string cluster_ip = str(*spec, "clusterIP");
  bool headless = cluster_ip == "None";
  if (headless && type != "ClusterIP")
    errs.invalid("spec.clusterIP", cluster_ip, "may not be set to 'None' for " + type + " services");
  if (type == "ExternalName") {
    std::string ext = str(*spec, "externalName");
    if (ext.empty()) errs.required("spec.externalName");
    else
      for (const auto& e : dns1123_subdomain_errors(ext)) errs.invalid("spec.externalName", ext, e);
  }
  if (const json* sa = field(*spec, "sessionAffinity"); sa && *sa != "None" && *sa != "ClientIP")
    errs.not_supported("spec.sessionAffinity", *sa, {"ClientIP", "None"});
  if (const json* sel = field(*spec, "selector")) check_labels(*sel, "spec.selector", errs);

  const json* ports = field(*spec, "ports");
  size_t n = ports && ports->is_array() ? ports->size() : 0;
  if (n == 0) {
    if (type != "ExternalName" && !headless) errs.required("spec.ports");
    return;
  }
  std::set<std::string> names;
  std::set<std::pair<int64_t, std::string>> port_protocols;
  for (size_t i = 0; i < n; ++i) {
    const json& p = (*ports)[i];
    std::string pp = index_path("spec.ports", i);
    std::string name = str(p, "name");
    if (name.empty()) {
      if (n > 1) errs.required(child_path(pp, "name"));
    } else {
      for (const auto& e : dns1123_label_errors(name)) errs.invalid(child_path(pp, "name"), name, e);
      if (!names.insert(name).second) errs.duplicate(child_path(pp, "name"), name);
    }
    const json* port = field(p, "port");
    if (!port) errs.required(child_path(pp, "port"));
    else check_port(*port, child_path(pp, "port"), errs);
    std::string protocol = str(p, "protocol");
    if (protocol.empty()) protocol = "TCP";
    if (protocol != "TCP" && protocol != "UDP" && protocol != "SCTP")
      errs.not_supported(child_path(pp, "protocol"), protocol, {"SCTP", "TCP", "UDP"});
    if (port && port->is_number_integer() &&
        !port_protocols.insert({port->get<int64_t>(), protocol}).second)
      errs.duplicate(pp, json{{"port", *port}, {"protocol", protocol}});
    if (const json* tp = field(p, "targetPort")) {
      if (tp->is_number_integer()) {
        check_port(*tp, child_path(pp, "targetPort"), errs);
      } else if (tp->is_string()) {
        for (const auto& e : port_name_errors(tp->get<std::string>()))
          errs.invalid(child_path(pp, "targetPort"), *tp, e);
      }
    }
    if (const json* np = field(p, "nodePort"); np && !(np->is_number_integer() && np->get<int64_t>() == 0)) {
      if (type != "NodePort" && type != "LoadBalancer")
        errs.forbidden(child_path(pp, "nodePort"), "may not be used when `type` is '" + type + "'");
      else
        check_port(*np, child_path(pp, "nodePort"), errs);
    }
  }
}

}  // namespace kite::api::validation
