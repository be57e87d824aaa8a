// The built-in schemas: the embedded api/schemas/*.kschema files, parsed once.
#include "api/schemas/builtin_schemas.h"

#include <tuple>

#include "api/schemas/embedded_schemas.h"
#include "api/schemas/kschema_parser.h"

namespace kite::api {
namespace {

struct Loaded {
  base::Status status;
  std::map<std::string, SchemaPtr> definitions;
  std::map<std::tuple<std::string, std::string, std::string>, SchemaPtr> kinds;
};

const Loaded& loaded() {
  static const Loaded data = [] {
    Loaded l;
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto& f : embedded_schema_files()) files.emplace_back(f.name, f.text);
    auto parsed = parse_kschema(files);
    if (!parsed) {
      l.status = parsed.error();
      return l;
    }
    l.definitions = std::move(parsed->definitions);
    for (const auto& k : parsed->kinds)
      l.kinds[{k.group, k.version, k.kind}] = l.definitions.at(k.definition);
    return l;
  }();
  return data;
}

}  // namespace

SchemaPtr builtin_schema(const std::string& definition_name) {
  const auto& defs = loaded().definitions;
  auto it = defs.find(definition_name);
  return it == defs.end() ? nullptr : it->second;
}

SchemaPtr kind_schema(const std::string& group, const std::string& version,
                      const std::string& kind) {
  const auto& kinds = loaded().kinds;
  auto it = kinds.find({group, version, kind});
  return it == kinds.end() ? nullptr : it->second;
}

const std::map<std::string, SchemaPtr>& builtin_schemas() { return loaded().definitions; }

const base::Status& builtin_schemas_status() { return loaded().status; }

}  // namespace kite::api
