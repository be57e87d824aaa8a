// Custom resources: NAME, then the CRD version's additionalPrinterColumns (or a single
// "Age" date column when it lists none), cells from each column's JSONPath.
#include "api/table/format.h"
#include "api/table/jsonpath.h"
#include "api/table/printer.h"

namespace kite::api::table {

namespace {

struct CompiledColumn {
  std::string type;
  std::optional<JsonPath> path;
};

// One cell from a JSONPath result, typed by the column: the first value found; null when
// nothing is found or the value does not fit the column's type.
json typed_cell(const std::string& type, const json& v, TimePoint now) {
  if (v.is_null()) return nullptr;
  if (type == "string") return jsonpath_text(v);
  if (type == "integer") {
    if (v.is_number_integer()) return v.get<int64_t>();
    if (v.is_number_float()) return static_cast<int64_t>(v.get<double>());
    return nullptr;
  }
  if (type == "number") {
    if (v.is_number()) return v.get<double>();
    return nullptr;
  }
  if (type == "boolean") {
    if (v.is_boolean()) return v.get<bool>();
    return nullptr;
  }
  if (type == "date") {
    if (!v.is_string()) return nullptr;
    std::string s = v.get<std::string>();
    if (s.empty() || s == "null") return "<unknown>";
    auto t = parse_time(s);
    if (!t) return "<invalid>";
    return human_duration(now - *t);
  }
  return nullptr;
}

}  // namespace

Printer custom_resource_printer(const ResourceInfo& info) {
  std::vector<PrinterColumn> defs = info.printer_columns;
  if (defs.empty()) {
    defs.push_back(PrinterColumn{"Age", "date", "",
                                 "Time since the object was created (metadata.creationTimestamp).",
                                 0, ".metadata.creationTimestamp"});
  }
  Printer p;
  p.columns.push_back(name_column());
  auto compiled = std::make_shared<std::vector<CompiledColumn>>();
  for (const PrinterColumn& c : defs) {
    std::string desc = c.description.empty()
                           ? "Custom resource definition column (in JSONPath format): " + c.json_path
                           : c.description;
    p.columns.push_back(TableColumn{c.name, c.type, c.format, desc, c.priority});
    compiled->push_back(CompiledColumn{c.type, JsonPath::parse(c.json_path)});
  }
  p.cells = [compiled](const json& obj, TimePoint now) {
    json cells = json::array({str(obj, {"metadata", "name"})});
    for (const CompiledColumn& c : *compiled) {
      if (!c.path) {
        cells.push_back(nullptr);
        continue;
      }
      std::vector<const json*> found = c.path->find(obj);
      cells.push_back(found.empty() ? json(nullptr) : typed_cell(c.type, *found[0], now));
    }
    return cells;
  };
  return p;
}

}  // namespace kite::api::table
