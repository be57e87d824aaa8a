// storage.k8s.io printers: storageclasses, csidrivers, csinodes, volumeattachments,
// csistoragecapacities, volumeattributesclasses.
#include "api/table/format.h"
#include "api/table/printer.h"

namespace kite::api::table {

namespace {

std::string name_of(const json& obj) { return str(obj, {"metadata", "name"}); }

bool annotation_true(const json& obj, std::string_view key) {
  return str(obj, {"metadata", "annotations", key}) == "true";
}

json storage_class_cells(const json& sc, TimePoint now) {
  std::string name = name_of(sc);
  if (annotation_true(sc, "storageclass.kubernetes.io/is-default-class") ||
      annotation_true(sc, "storageclass.beta.kubernetes.io/is-default-class")) {
    name += " (default)";
  }
  return json::array({name, str(sc, {"provisioner"}), str(sc, {"reclaimPolicy"}, "Delete"),
                      str(sc, {"volumeBindingMode"}, "Immediate"),
                      flag(sc, {"allowVolumeExpansion"}), age(sc, now)});
}

json csi_driver_cells(const json& d, TimePoint now) {
  std::string tokens = "<unset>";
  if (const json* t = field(d, {"spec", "tokenRequests"}); t && t->is_array()) {
    std::vector<std::string> audiences;
    for (const json& r : *t) audiences.push_back(str(r, {"audience"}));
    tokens = join(audiences, ",");
  }
  std::vector<std::string> modes;
  for (const json& mo : array(d, {"spec", "volumeLifecycleModes"})) {
    if (mo.is_string()) modes.push_back(mo.get<std::string>());
  }
  return json::array({name_of(d), flag(d, {"spec", "attachRequired"}, true),
                      flag(d, {"spec", "podInfoOnMount"}), flag(d, {"spec", "storageCapacity"}),
                      tokens, flag(d, {"spec", "requiresRepublish"}),
                      modes.empty() ? "<none>" : join(modes, ","), age(d, now)});
}

}  // namespace

void add_storage_printers(PrinterMap& m) {
  m["storage.k8s.io/storageclasses"] = Printer{
      {name_column(), column("Provisioner", "string", "The volume plugin that provisions volumes."),
       column("ReclaimPolicy", "string", "Reclaim policy of provisioned volumes."),
       column("VolumeBindingMode", "string", "When volumes are bound and provisioned."),
       column("AllowVolumeExpansion", "string", "Whether claims may be expanded."), age_column()},
      storage_class_cells, nullptr};

  m["storage.k8s.io/csidrivers"] = Printer{
      {name_column(), column("AttachRequired", "boolean", "Whether the driver needs attaching."),
       column("PodInfoOnMount", "boolean", "Whether pod information is passed on mount."),
       column("StorageCapacity", "boolean", "Whether capacity tracking is enabled."),
       column("TokenRequests", "string", "Audiences of service account tokens passed on mount."),
       column("RequiresRepublish", "boolean", "Whether volumes are periodically re-published."),
       column("Modes", "string", "Supported volume lifecycle modes."), age_column()},
      csi_driver_cells, nullptr};

  m["storage.k8s.io/csinodes"] = Printer{
      {name_column(), column("Drivers", "integer", "Number of CSI drivers on the node."),
       age_column()},
      [](const json& n, TimePoint now) {
        return json::array({name_of(n), static_cast<int64_t>(array(n, {"spec", "drivers"}).size()),
                            age(n, now)});
      },
      nullptr};

  TableColumn attacher = column("Attacher", "string", "The attaching volume driver.");
  attacher.format = "name";
  m["storage.k8s.io/volumeattachments"] = Printer{
      {name_column(), attacher, column("PV", "string", "The attached persistent volume."),
       column("Node", "string", "The node the volume is attached to."),
       column("Attached", "boolean", "Whether the attach operation succeeded."), age_column()},
      [](const json& va, TimePoint now) {
        return json::array({name_of(va), str(va, {"spec", "attacher"}),
                            str(va, {"spec", "source", "persistentVolumeName"}),
                            str(va, {"spec", "nodeName"}), flag(va, {"status", "attached"}),
                            age(va, now)});
      },
      nullptr};

  m["storage.k8s.io/csistoragecapacities"] = Printer{
      {name_column(), column("StorageClassName", "string", "The storage class of the capacity."),
       column("Capacity", "string", "The reported capacity.")},
      [](const json& c, TimePoint) {
        std::string cap = has(c, {"capacity"}) ? quantity(field(c, {"capacity"})) : "<unset>";
        return json::array({name_of(c), str(c, {"storageClassName"}), cap});
      },
      nullptr};

  m["storage.k8s.io/volumeattributesclasses"] = Printer{
      {name_column(), column("DriverName", "string", "The CSI driver of the class."), age_column()},
      [](const json& c, TimePoint now) {
        std::string name = name_of(c);
        if (annotation_true(c, "storage.kubernetes.io/is-default-class")) name += " (default)";
        return json::array({name, str(c, {"driverName"}), age(c, now)});
      },
      nullptr};
}

}  // namespace kite::api::table
