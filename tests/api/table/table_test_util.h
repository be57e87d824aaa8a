// Shared helpers for the api/table tests: a fixed "now", timestamps relative to it, and
// hand-built ResourceInfo values.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "api/table/format.h"
#include "api/table/table.h"

namespace kite::api::table_test {

using namespace std::chrono_literals;

inline TableClock::time_point now() {
  return *table::parse_time("2024-06-01T12:00:00Z");
}

// The RFC 3339 time `d` before now().
inline std::string ago(std::chrono::seconds d) { return table::format_time(now() - d); }

inline ResourceInfo info(std::string group, std::string kind, std::string plural,
                         std::string version = "v1") {
  ResourceInfo i;
  i.group = std::move(group);
  i.version = std::move(version);
  i.kind = std::move(kind);
  i.plural = std::move(plural);
  return i;
}

inline std::vector<std::string> column_names(const ResourceInfo& ri) {
  std::vector<std::string> out;
  for (const TableColumn& c : table_columns(ri)) out.push_back(c.name);
  return out;
}

// Names of the columns shown without -o wide.
inline std::vector<std::string> default_column_names(const ResourceInfo& ri) {
  std::vector<std::string> out;
  for (const TableColumn& c : table_columns(ri)) {
    if (c.priority == 0) out.push_back(c.name);
  }
  return out;
}

}  // namespace kite::api::table_test
