// Parser of kite's compact schema format (.kschema, described in api/schemas/README.md) into
// Schema trees. Pure and stateless: parse_kschema() may run on any thread.
#pragma once

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "api/schema.h"
#include "base/status.h"

namespace kite::api {

struct KindSchemaEntry {
  std::string group;  // "" for the core group
  std::string version;
  std::string kind;
  std::string definition;  // "io.k8s.api.core.v1.Pod"
};

struct ParsedSchemas {
  std::map<std::string, SchemaPtr> definitions;  // by definition name
  std::vector<KindSchemaEntry> kinds;
};

// Parses the given files (name, text) as one set: references may cross files. Invalid (with
// the file and line in the message) on a syntax error, an unknown type or a reference cycle.
base::Result<ParsedSchemas> parse_kschema(
    const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace kite::api
