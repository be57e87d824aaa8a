// Internal to api/table/: the Printer of one resource (its columns and how to compute a
// row's cells), the registry that maps group + resource to a Printer, and the column
// builders the per-group printer files share. Printers are immutable after registration;
// the registry is built once (thread-safe static initialisation) and only read afterwards.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "api/table/table.h"

namespace kite::api::table {

using TimePoint = TableClock::time_point;

struct Printer {
  std::vector<TableColumn> columns;
  // Cells for one object; must return exactly columns.size() cells.
  std::function<json(const json& obj, TimePoint now)> cells;
  // Optional metav1.TableRowCondition list for a row (pods use it); null when none.
  std::function<json(const json& obj)> conditions;
};

// Key: "<group>/<resource>" ("" group for core), e.g. "/pods", "apps/deployments".
using PrinterMap = std::map<std::string, Printer>;

// Each group's file adds its printers.
void add_core_printers(PrinterMap& m);       // core_printers.cpp, pod_printer.cpp
void add_pod_printer(PrinterMap& m);         // pod_printer.cpp
void add_event_printers(PrinterMap& m);      // event_printers.cpp (core + events.k8s.io)
void add_apps_printers(PrinterMap& m);       // apps_printers.cpp
void add_batch_printers(PrinterMap& m);      // batch_printers.cpp
void add_networking_printers(PrinterMap& m); // networking_printers.cpp (+ discovery)
void add_storage_printers(PrinterMap& m);    // storage_printers.cpp
void add_other_printers(PrinterMap& m);      // other_printers.cpp (policy, rbac, ...)

// The printer of a built-in group/resource, or null (then the default printer applies).
const Printer* find_printer(const std::string& group, const std::string& resource);
// NAME + "Created At": the printer for resources without their own.
const Printer& default_printer();
// The printer of a custom resource, from its additionalPrinterColumns.
Printer custom_resource_printer(const ResourceInfo& info);

// Column builders.
TableColumn name_column();
TableColumn age_column();
TableColumn column(std::string name, std::string type, std::string description,
                   int priority = 0);
inline TableColumn wide(std::string name, std::string type, std::string description) {
  return column(std::move(name), std::move(type), std::move(description), 1);
}
// The Containers / Images wide columns of workload kinds.
TableColumn containers_column();
TableColumn images_column();

}  // namespace kite::api::table
