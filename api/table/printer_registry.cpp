// The registry of built-in printers, the shared column builders and the default printer.
#include "api/table/format.h"
#include "api/table/printer.h"

namespace kite::api::table {

namespace {

const PrinterMap& printers() {
  static const PrinterMap m = [] {
    PrinterMap out;
    add_pod_printer(out);
    add_core_printers(out);
    add_event_printers(out);
    add_apps_printers(out);
    add_batch_printers(out);
    add_networking_printers(out);
    add_storage_printers(out);
    add_other_printers(out);
    return out;
  }();
  return m;
}

}  // namespace

const Printer* find_printer(const std::string& group, const std::string& resource) {
  const PrinterMap& m = printers();
  auto it = m.find(group + "/" + resource);
  return it == m.end() ? nullptr : &it->second;
}

TableColumn name_column() {
  return {"Name", "string", "name",
          "Name of the object, unique within its namespace (or cluster-wide for cluster-scoped "
          "resources).",
          0};
}

TableColumn age_column() {
  return {"Age", "string", "", "Time since the object was created (metadata.creationTimestamp).",
          0};
}

TableColumn column(std::string name, std::string type, std::string description, int priority) {
  return {std::move(name), std::move(type), "", std::move(description), priority};
}

TableColumn containers_column() {
  return wide("Containers", "string", "Names of the containers in the pod template.");
}

TableColumn images_column() {
  return wide("Images", "string", "Images of the containers in the pod template.");
}

const Printer& default_printer() {
  static const Printer p{
      {name_column(),
       column("Created At", "date", "When the object was created (metadata.creationTimestamp).")},
      [](const json& obj, TimePoint) {
        // The creation time re-rendered in UTC at seconds precision; the zero time when unset.
        std::string created = "0001-01-01T00:00:00Z";
        if (auto t = parse_time(str(obj, {"metadata", "creationTimestamp"}))) {
          created = format_time(*t);
        }
        return json::array({str(obj, {"metadata", "name"}), created});
      },
      nullptr};
  return p;
}

}  // namespace kite::api::table
