// apps/v1 printers: deployments, replicasets, statefulsets, daemonsets, controllerrevisions.
#include "api/table/format.h"
#include "api/table/printer.h"

namespace kite::api::table {

namespace {

std::string name_of(const json& obj) { return str(obj, {"metadata", "name"}); }

const json& template_containers(const json& obj) {
  return array(obj, {"spec", "template", "spec", "containers"});
}

std::string ratio(int64_t a, int64_t b) { return std::to_string(a) + "/" + std::to_string(b); }

json deployment_cells(const json& d, TimePoint now) {
  auto [names, images] = container_cells(template_containers(d));
  const json* sel = field(d, {"spec", "selector"});
  return json::array({name_of(d),
                      ratio(num(d, {"status", "readyReplicas"}), num(d, {"spec", "replicas"}, 1)),
                      num(d, {"status", "updatedReplicas"}), num(d, {"status", "availableReplicas"}),
                      age(d, now), names, images, label_selector_string(sel)});
}

json replicaset_cells(const json& rs, TimePoint now) {
  auto [names, images] = container_cells(template_containers(rs));
  return json::array({name_of(rs), num(rs, {"spec", "replicas"}, 1), num(rs, {"status", "replicas"}),
                      num(rs, {"status", "readyReplicas"}), age(rs, now), names, images,
                      format_label_selector(field(rs, {"spec", "selector"}))});
}

json statefulset_cells(const json& ss, TimePoint now) {
  auto [names, images] = container_cells(template_containers(ss));
  return json::array({name_of(ss),
                      ratio(num(ss, {"status", "readyReplicas"}), num(ss, {"spec", "replicas"}, 1)),
                      age(ss, now), names, images});
}

json daemonset_cells(const json& ds, TimePoint now) {
  auto [names, images] = container_cells(template_containers(ds));
  return json::array({name_of(ds), num(ds, {"status", "desiredNumberScheduled"}),
                      num(ds, {"status", "currentNumberScheduled"}),
                      num(ds, {"status", "numberReady"}),
                      num(ds, {"status", "updatedNumberScheduled"}),
                      num(ds, {"status", "numberAvailable"}),
                      format_labels(field(ds, {"spec", "template", "spec", "nodeSelector"})),
                      age(ds, now), names, images,
                      format_label_selector(field(ds, {"spec", "selector"}))});
}

// "kind.group/name" (lower-cased kind and group) of the controlling owner, or "<none>".
std::string controller_of(const json& obj) {
  for (const json& ref : array(obj, {"metadata", "ownerReferences"})) {
    if (!flag(ref, {"controller"})) continue;
    std::string api_version = str(ref, {"apiVersion"});
    auto slash = api_version.find('/');
    std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
    std::string kind = str(ref, {"kind"});
    std::string gk = group.empty() ? kind : kind + "." + group;
    if (gk.empty()) return str(ref, {"name"});
    return to_lower(gk) + "/" + str(ref, {"name"});
  }
  return "<none>";
}

}  // namespace

void add_apps_printers(PrinterMap& m) {
  m["apps/deployments"] = Printer{
      {name_column(), column("Ready", "string", "Ready replicas out of desired replicas."),
       column("Up-to-date", "string", "Replicas running the latest pod template."),
       column("Available", "string", "Replicas available to serve."), age_column(),
       containers_column(), images_column(),
       wide("Selector", "string", "Label selector of the deployment's pods.")},
      deployment_cells, nullptr};

  m["apps/replicasets"] = Printer{
      {name_column(), column("Desired", "integer", "Desired number of replicas."),
       column("Current", "integer", "Current number of replicas."),
       column("Ready", "integer", "Number of ready replicas."), age_column(),
       containers_column(), images_column(),
       wide("Selector", "string", "Label selector of the replica set's pods.")},
      replicaset_cells, nullptr};

  m["apps/statefulsets"] = Printer{
      {name_column(), column("Ready", "string", "Ready replicas out of desired replicas."),
       age_column(), containers_column(), images_column()},
      statefulset_cells, nullptr};

  m["apps/daemonsets"] = Printer{
      {name_column(), column("Desired", "integer", "Nodes that should run the daemon pod."),
       column("Current", "integer", "Nodes running at least one daemon pod."),
       column("Ready", "integer", "Nodes with a ready daemon pod."),
       column("Up-to-date", "integer", "Nodes running the latest daemon pod."),
       column("Available", "integer", "Nodes with an available daemon pod."),
       column("Node Selector", "string", "Node selector of the pod template."), age_column(),
       containers_column(), images_column(),
       wide("Selector", "string", "Label selector of the daemon set's pods.")},
      daemonset_cells, nullptr};

  m["apps/controllerrevisions"] = Printer{
      {name_column(), column("Controller", "string", "The object that controls the revision."),
       column("Revision", "string", "The revision number."), age_column()},
      [](const json& cr, TimePoint now) {
        return json::array({name_of(cr), controller_of(cr), num(cr, {"revision"}), age(cr, now)});
      },
      nullptr};
}

}  // namespace kite::api::table
