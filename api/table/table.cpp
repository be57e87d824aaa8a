// Table assembly: picks the printer of a resource and builds meta.k8s.io/v1 Table objects.
#include "api/table/table.h"

#include "api/table/format.h"
#include "api/table/printer.h"

namespace kite::api {

namespace {

using table::Printer;

// Custom resources get a printer built from their CRD; it is cheap, so build it per call.
struct ResolvedPrinter {
  Printer owned;
  const Printer* p = nullptr;
};

ResolvedPrinter resolve(const ResourceInfo& info) {
  ResolvedPrinter r;
  if (info.custom) {
    r.owned = table::custom_resource_printer(info);
    r.p = &r.owned;
    return r;
  }
  r.p = table::find_printer(info.group, info.plural);
  if (!r.p) r.p = &table::default_printer();
  return r;
}

json cells_or_fallback(const Printer& p, const json& obj, TableClock::time_point now) {
  try {
    json cells = p.cells(obj, now);
    if (cells.is_array() && cells.size() == p.columns.size()) return cells;
  } catch (...) {
    // A malformed object must not break a whole list: fall through to a row of nulls.
  }
  json cells = json::array();
  cells.push_back(table::str(obj, {"metadata", "name"}));
  while (cells.size() < p.columns.size()) cells.push_back(nullptr);
  return cells;
}

json row_object(const ResourceInfo& info, const json& obj, IncludeObject include) {
  switch (include) {
    case IncludeObject::None:
      return nullptr;
    case IncludeObject::Object: {
      json o = obj;
      if (o.is_object()) {
        if (!o.contains("kind")) o["kind"] = info.kind;
        if (!o.contains("apiVersion")) o["apiVersion"] = info.api_version();
      }
      return o;
    }
    case IncludeObject::Metadata:
      break;
  }
  json meta = table::object(obj, {"metadata"});
  return json{{"kind", "PartialObjectMetadata"},
              {"apiVersion", "meta.k8s.io/v1"},
              {"metadata", std::move(meta)}};
}

json make_row(const Printer& p, const ResourceInfo& info, const json& obj,
              IncludeObject include, TableClock::time_point now) {
  json row = json::object();
  row["cells"] = cells_or_fallback(p, obj, now);
  if (p.conditions) {
    try {
      json c = p.conditions(obj);
      if (c.is_array() && !c.empty()) row["conditions"] = std::move(c);
    } catch (...) {
    }
  }
  row["object"] = row_object(info, obj, include);
  return row;
}

json column_definitions(const Printer& p) {
  json cols = json::array();
  for (const TableColumn& c : p.columns) cols.push_back(c.to_json());
  return cols;
}

}  // namespace

json TableColumn::to_json() const {
  return json{{"name", name},
              {"type", type},
              {"format", format},
              {"description", description},
              {"priority", priority}};
}

base::Result<IncludeObject> parse_include_object(std::string_view value) {
  if (value.empty() || value == "Metadata") return IncludeObject::Metadata;
  if (value == "None") return IncludeObject::None;
  if (value == "Object") return IncludeObject::Object;
  return base::error(base::Reason::BadRequest,
                     "unrecognized includeObject value: \"" + std::string(value) + "\"");
}

std::vector<TableColumn> table_columns(const ResourceInfo& info) {
  return resolve(info).p->columns;
}

json table_row_cells(const ResourceInfo& info, const json& obj, TableClock::time_point now) {
  ResolvedPrinter r = resolve(info);
  return cells_or_fallback(*r.p, obj, now);
}

json build_table(const ResourceInfo& info, const std::vector<const json*>& objects,
                 IncludeObject include, const std::string& list_resource_version,
                 const std::string& continue_token, std::optional<int64_t> remaining,
                 TableClock::time_point now) {
  ResolvedPrinter r = resolve(info);
  json meta = json::object();
  if (!list_resource_version.empty()) meta["resourceVersion"] = list_resource_version;
  if (!continue_token.empty()) meta["continue"] = continue_token;
  if (remaining) meta["remainingItemCount"] = *remaining;
  json rows = json::array();
  for (const json* obj : objects) {
    if (obj) rows.push_back(make_row(*r.p, info, *obj, include, now));
  }
  return json{{"kind", "Table"},
              {"apiVersion", "meta.k8s.io/v1"},
              {"metadata", std::move(meta)},
              {"columnDefinitions", column_definitions(*r.p)},
              {"rows", std::move(rows)}};
}

json build_table_for_object(const ResourceInfo& info, const json& obj, IncludeObject include,
                            bool with_column_definitions, TableClock::time_point now) {
  ResolvedPrinter r = resolve(info);
  json meta = json::object();
  std::string rv = table::str(obj, {"metadata", "resourceVersion"});
  if (!rv.empty()) meta["resourceVersion"] = rv;
  return json{{"kind", "Table"},
              {"apiVersion", "meta.k8s.io/v1"},
              {"metadata", std::move(meta)},
              {"columnDefinitions",
               with_column_definitions ? column_definitions(*r.p) : json(nullptr)},
              {"rows", json::array({make_row(*r.p, info, obj, include, now)})}};
}

}  // namespace kite::api
