// Printers of the smaller groups: policy (poddisruptionbudgets), coordination (leases),
// rbac (rolebindings, clusterrolebindings), scheduling (priorityclasses), node
// (runtimeclasses), admissionregistration (webhook configurations), certificates
// (certificatesigningrequests), autoscaling (horizontalpodautoscalers).
#include "api/table/format.h"
#include "api/table/printer.h"

namespace kite::api::table {

namespace {

std::string name_of(const json& obj) { return str(obj, {"metadata", "name"}); }

std::string na_if_missing(const json* v) { return v && !v->is_null() ? int_or_string(v) : "N/A"; }

json binding_cells(const json& b, TimePoint now) {
  std::vector<std::string> users, groups, sas;
  for (const json& s : array(b, {"subjects"})) {
    std::string kind = str(s, {"kind"});
    if (kind == "User") {
      users.push_back(str(s, {"name"}));
    } else if (kind == "Group") {
      groups.push_back(str(s, {"name"}));
    } else if (kind == "ServiceAccount") {
      sas.push_back(str(s, {"namespace"}) + "/" + str(s, {"name"}));
    }
  }
  return json::array({name_of(b), str(b, {"roleRef", "kind"}) + "/" + str(b, {"roleRef", "name"}),
                      age(b, now), join(users, ", "), join(groups, ", "), join(sas, ", ")});
}

std::vector<TableColumn> binding_columns() {
  return {name_column(), column("Role", "string", "The bound role (kind/name)."), age_column(),
          wide("Users", "string", "Users bound to the role."),
          wide("Groups", "string", "Groups bound to the role."),
          wide("ServiceAccounts", "string", "Service accounts bound to the role (namespace/name).")};
}

std::string csr_condition(const json& csr) {
  bool approved = false, denied = false, failed = false;
  for (const json& c : array(csr, {"status", "conditions"})) {
    std::string t = str(c, {"type"});
    approved |= t == "Approved";
    denied |= t == "Denied";
    failed |= t == "Failed";
  }
  std::string s = denied ? "Denied" : approved ? "Approved" : "Pending";
  if (failed) s += ",Failed";
  if (!str(csr, {"status", "certificate"}).empty()) s += ",Issued";
  return s;
}

// Resource-metric targets of an autoscaling/v2 (or v1) HPA, e.g. "cpu: 40%/80%".
std::string hpa_targets(const json& hpa) {
  std::vector<std::string> list;
  const json& specs = array(hpa, {"spec", "metrics"});
  const json& statuses = array(hpa, {"status", "currentMetrics"});
  if (specs.empty() && has(hpa, {"spec", "targetCPUUtilizationPercentage"})) {  // v1 shape
    std::string current = "<unknown>";
    if (has(hpa, {"status", "currentCPUUtilizationPercentage"})) {
      current = std::to_string(num(hpa, {"status", "currentCPUUtilizationPercentage"})) + "%";
    }
    return "cpu: " + current + "/" +
           std::to_string(num(hpa, {"spec", "targetCPUUtilizationPercentage"})) + "%";
  }
  if (specs.empty()) return "<none>";
  for (size_t i = 0; i < specs.size(); ++i) {
    const json& spec = specs[i];
    const json* st = i < statuses.size() ? &statuses[i] : nullptr;
    std::string type = str(spec, {"type"});
    if (type == "Resource" || type == "ContainerResource") {
      std::string key = type == "Resource" ? "resource" : "containerResource";
      std::string res = str(spec, {key, "name"});
      if (has(spec, {key, "target", "averageValue"})) {
        std::string current = "<unknown>";
        if (st && has(*st, {key, "current", "averageValue"})) {
          current = quantity(field(*st, {key, "current", "averageValue"}));
        }
        list.push_back(res + ": " + current + "/" +
                       quantity(field(spec, {key, "target", "averageValue"})));
      } else {
        std::string current = "<unknown>";
        if (st && has(*st, {key, "current", "averageUtilization"})) {
          current = std::to_string(num(*st, {key, "current", "averageUtilization"})) + "%";
        }
        std::string target = "<auto>";
        if (has(spec, {key, "target", "averageUtilization"})) {
          target = std::to_string(num(spec, {key, "target", "averageUtilization"})) + "%";
        }
        list.push_back(res + ": " + current + "/" + target);
      }
    } else if (type == "Pods" || type == "Object" || type == "External") {
      std::string key = type == "Pods" ? "pods" : type == "Object" ? "object" : "external";
      bool avg = has(spec, {key, "target", "averageValue"});
      std::string which = avg ? "averageValue" : "value";
      std::string current = "<unknown>";
      if (st && has(*st, {key, "current", which})) current = quantity(field(*st, {key, "current", which}));
      std::string text = current + "/" + quantity(field(spec, {key, "target", which}));
      if (avg && type != "Pods") text += " (avg)";
      list.push_back(text);
    } else {
      list.push_back("<unknown type>");
    }
  }
  constexpr size_t kMax = 2;
  size_t count = list.size();
  if (count > kMax) list.resize(kMax);
  std::string out = join(list, ", ");
  if (count > kMax) out += " + " + std::to_string(count - kMax) + " more...";
  return out;
}

}  // namespace

void add_other_printers(PrinterMap& m) {
  m["policy/poddisruptionbudgets"] = Printer{
      {name_column(), column("Min Available", "string", "Pods that must stay available."),
       column("Max Unavailable", "string", "Pods that may be unavailable."),
       column("Allowed Disruptions", "integer", "Pod disruptions currently allowed."),
       age_column()},
      [](const json& pdb, TimePoint now) {
        return json::array({name_of(pdb), na_if_missing(field(pdb, {"spec", "minAvailable"})),
                            na_if_missing(field(pdb, {"spec", "maxUnavailable"})),
                            num(pdb, {"status", "disruptionsAllowed"}), age(pdb, now)});
      },
      nullptr};

  m["coordination.k8s.io/leases"] = Printer{
      {name_column(), column("Holder", "string", "The current holder of the lease."),
       age_column()},
      [](const json& l, TimePoint now) {
        return json::array({name_of(l), str(l, {"spec", "holderIdentity"}), age(l, now)});
      },
      nullptr};

  m["rbac.authorization.k8s.io/rolebindings"] = Printer{binding_columns(), binding_cells, nullptr};
  m["rbac.authorization.k8s.io/clusterrolebindings"] =
      Printer{binding_columns(), binding_cells, nullptr};

  m["scheduling.k8s.io/priorityclasses"] = Printer{
      {name_column(), column("Value", "integer", "The priority value."),
       column("Global-Default", "boolean", "Whether this is the default priority class."),
       age_column(),
       column("PreemptionPolicy", "string", "Whether pods of this class may preempt others.")},
      [](const json& pc, TimePoint now) {
        return json::array({name_of(pc), num(pc, {"value"}), flag(pc, {"globalDefault"}),
                            age(pc, now), str(pc, {"preemptionPolicy"})});
      },
      nullptr};

  m["node.k8s.io/runtimeclasses"] = Printer{
      {name_column(), column("Handler", "string", "The CRI handler of the runtime class."),
       age_column()},
      [](const json& rc, TimePoint now) {
        return json::array({name_of(rc), str(rc, {"handler"}), age(rc, now)});
      },
      nullptr};

  for (const char* key : {"admissionregistration.k8s.io/mutatingwebhookconfigurations",
                          "admissionregistration.k8s.io/validatingwebhookconfigurations"}) {
    m[key] = Printer{
        {name_column(), column("Webhooks", "integer", "Number of webhooks in the configuration."),
         age_column()},
        [](const json& w, TimePoint now) {
          return json::array({name_of(w), static_cast<int64_t>(array(w, {"webhooks"}).size()),
                              age(w, now)});
        },
        nullptr};
  }

  m["certificates.k8s.io/certificatesigningrequests"] = Printer{
      {name_column(), age_column(), column("SignerName", "string", "The requested signer."),
       column("Requestor", "string", "The user that created the request."),
       column("RequestedDuration", "string", "The requested validity of the certificate."),
       column("Condition", "string", "Approval state of the request.")},
      [](const json& csr, TimePoint now) {
        std::string duration = "<none>";
        if (has(csr, {"spec", "expirationSeconds"})) {
          duration = human_duration(std::chrono::seconds(num(csr, {"spec", "expirationSeconds"})));
        }
        return json::array({name_of(csr), age(csr, now),
                            str(csr, {"spec", "signerName"}, "<none>"),
                            str(csr, {"spec", "username"}), duration, csr_condition(csr)});
      },
      nullptr};

  m["autoscaling/horizontalpodautoscalers"] = Printer{
      {name_column(), column("Reference", "string", "The scaled object (kind/name)."),
       column("Targets", "string", "Current and target metric values."),
       column("MinPods", "string", "Lower replica limit."),
       column("MaxPods", "string", "Upper replica limit."),
       column("Replicas", "string", "Current number of replicas."), age_column()},
      [](const json& hpa, TimePoint now) {
        std::string min = "<unset>";
        if (has(hpa, {"spec", "minReplicas"})) min = std::to_string(num(hpa, {"spec", "minReplicas"}));
        return json::array({name_of(hpa),
                            str(hpa, {"spec", "scaleTargetRef", "kind"}) + "/" +
                                str(hpa, {"spec", "scaleTargetRef", "name"}),
                            hpa_targets(hpa), min, num(hpa, {"spec", "maxReplicas"}),
                            num(hpa, {"status", "currentReplicas"}), age(hpa, now)});
      },
      nullptr};
}

}  // namespace kite::api::table
