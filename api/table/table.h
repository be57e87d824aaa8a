// Server-side Table output (meta.k8s.io/v1 Table), as `kubectl get` asks for with
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.
//
// Every built-in resource has a printer (api/table/*_printers.cpp) that gives the same
// columns and cell values a Kubernetes 1.32 API server gives, including the wide columns
// (priority 1), which a server always fills in; kubectl hides them unless `-o wide`.
// Custom resources get NAME plus their additionalPrinterColumns (or NAME + Age when the
// CRD lists none); any other resource gets NAME + "Created At".
//
// Durations (Age, Job Duration, Event Last Seen, ...) are computed here against `now`, the
// way the upstream server does, in its human-readable form ("5s", "3m20s", "2d3h").
//
// Pure functions over JSON objects: no I/O, no shared state besides a read-only printer
// table built once on first use; safe to call from any thread. No exceptions escape.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/resource.h"
#include "base/status.h"

namespace kite::api {

using json = nlohmann::json;
using TableClock = std::chrono::system_clock;

// metav1.TableColumnDefinition.
struct TableColumn {
  std::string name;         // as the server sends it: "Name", "Ready", "Port(s)", ...
  std::string type;         // "string", "integer", "number", "boolean", "date"
  std::string format;       // "name" for the object's name column, "" otherwise
  std::string description;
  int priority = 0;         // 0 = default output, 1 = only with -o wide

  json to_json() const;
};

// The `includeObject` query parameter (metav1.TableOptions.includeObject).
enum class IncludeObject {
  None,      // rows carry "object": null
  Metadata,  // rows carry a PartialObjectMetadata (the default)
  Object,    // rows carry the whole object
};

// Parses includeObject: "" and "Metadata" -> Metadata, "None", "Object"; anything else is
// BadRequest, with the message the upstream server uses.
base::Result<IncludeObject> parse_include_object(std::string_view value);

// The columns the server returns for a resource (all priorities).
std::vector<TableColumn> table_columns(const ResourceInfo& info);

// The cells of one row, in the order of table_columns(info).
json table_row_cells(const ResourceInfo& info, const json& obj, TableClock::time_point now);

// A Table for a list response. `objects` are the list's items in order; the list's
// resourceVersion, continue token and remainingItemCount go into the Table's metadata.
json build_table(const ResourceInfo& info, const std::vector<const json*>& objects,
                 IncludeObject include, const std::string& list_resource_version,
                 const std::string& continue_token, std::optional<int64_t> remaining,
                 TableClock::time_point now);

// A Table with one row, for a single GET and for each event of a watch with as=Table. The
// Table's resourceVersion is the object's. A Kubernetes server sends columnDefinitions only
// with the first event of a watch and "columnDefinitions": null afterwards: pass
// with_column_definitions = false for every event after the first.
json build_table_for_object(const ResourceInfo& info, const json& obj, IncludeObject include,
                            bool with_column_definitions, TableClock::time_point now);

}  // namespace kite::api
